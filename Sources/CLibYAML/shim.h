// Debian's libyaml (libyaml-dev). bcops links the system library rather than a
// vendored copy so that the parser is the one the distribution patches.
#include <yaml.h>
