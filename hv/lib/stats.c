/* Small helpers for measurements, shared by the hv (calibration) and the
 * guest harness: sorting samples and printing a per-op ratio. */
#include "lib.h"

void sort_u64(uint64_t *a, unsigned int n)
{
    for (unsigned int i = 1; i < n; i++)
        for (unsigned int j = i; j > 0 && a[j - 1] > a[j]; j--) {
            uint64_t t = a[j];
            a[j] = a[j - 1];
            a[j - 1] = t;
        }
}

int fmt_ratio(char *buf, size_t n, uint64_t value, uint64_t ops)
{
    uint64_t milli = (value * 1000 + ops / 2) / ops;
    return snprintf(buf, n, "%lu.%03lu", milli / 1000, milli % 1000);
}
