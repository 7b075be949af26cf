/* abi, the smaller hypercalls and sub-ops. */
#include "abi.h"

void misc_cases(void)
{
}
