/* module.h: the MOHAA module (OpenMOHAA match telemetry). */
#ifndef GW_MOHAA_MODULE_H
#define GW_MOHAA_MODULE_H

#include "platform/module.h"

extern const struct gw_module gw_module_mohaa;

#endif
