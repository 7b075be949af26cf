/* The PV console ring (Xen's public/io/console.h): a page shared by a
 * domU and its console backend (xenconsoled on Xen, the hv here).  The
 * guest produces into out[] and the backend consumes; in[] is the other
 * way.  Indices run freely and are masked to the ring's size. */
#ifndef ASILAB_PUBLIC_IO_CONSOLE_H
#define ASILAB_PUBLIC_IO_CONSOLE_H
#include <stdint.h>

typedef uint32_t XENCONS_RING_IDX;
#define MASK_XENCONS_IDX(idx, ring) ((idx) & (sizeof(ring) - 1))

struct xencons_interface {
    char in[1024];
    char out[2048];
    XENCONS_RING_IDX in_cons, in_prod;
    XENCONS_RING_IDX out_cons, out_prod;
};

#endif
