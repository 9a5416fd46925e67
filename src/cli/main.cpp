#include "command.hpp"

int main(int argc, char** argv) {
  return gridbatch::cli::Main(argc, argv);
}
