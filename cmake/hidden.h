/* Force-included into freestanding code: every symbol is local to the
 * image, so position-independent code reaches it PC-relative, never
 * through a GOT (the hv lives above 4 GiB, out of 32-bit reach). */
#pragma GCC visibility push(hidden)
