/* version.h - the one place the version lives. */
#ifndef MLWB_VERSION_H
#define MLWB_VERSION_H
#define MLWB_VERSION "0.1.0"
#endif
