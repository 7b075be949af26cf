/* xen_version (Xen's public/version.h values). */
#ifndef ASILAB_PUBLIC_VERSION_H
#define ASILAB_PUBLIC_VERSION_H
#define XENVER_version      0
#define XENVER_extraversion 1
typedef char xen_extraversion_t[16];
#define XENVER_capabilities 3
typedef char xen_capabilities_info_t[1024];
#define XENVER_get_features 6
#endif
