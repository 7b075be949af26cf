/* The variant's identity, compiled once per hv image with its defines. */
#include "lab.h"

const char asilab_variant[] = ASILAB_VARIANT;
const char asilab_git_rev[] = ASILAB_GIT_REV;
const bool asilab_stackzero = ASILAB_STACKZERO;
const bool asilab_pcid = ASILAB_PCID;
