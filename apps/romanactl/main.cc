// romanactl: the Romana command-line tool. See docs/cli.md and cli/romanactl.h.
#include <iostream>

#include "cli/romanactl.h"

int main(int argc, char** argv) { return romana::cli::Run(argc, argv, std::cout, std::cerr, std::cin); }
