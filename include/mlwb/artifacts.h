/* artifacts.h - the content-addressed object store (.mlwb/objects) and the
 * hashing behind artifacts and the task cache.
 *
 * An object is a file named by the SHA-256 of its content,
 * objects/ab/cdef..., written once and made read-only.  Storing a file hard
 * links it when the object store is on the same file system, else copies.
 */
#ifndef MLWB_ARTIFACTS_H
#define MLWB_ARTIFACTS_H

#include <stdint.h>

#include "mlwb/err.h"
#include "mlwb/util.h"

#define SHA256_HEX 65

void artifacts_hash_buf(const void *data, size_t len, char hex[SHA256_HEX]);
int artifacts_hash_file(const char *path, char hex[SHA256_HEX], int64_t *size, struct err *err);
/* A file's hash, or for a directory the hash of its sorted listing of
 * "relative path NUL file hash" lines.  A missing path is an error (code 2). */
int artifacts_hash_path(const char *path, char hex[SHA256_HEX], struct err *err);
/* The regular files under root/rel (rel itself when it is a file), as paths
 * relative to root, sorted. */
int artifacts_list_files(const char *root, const char *rel, struct strv *out, struct err *err);

/* objects/ab/cdef... for a hash. Caller frees. */
char *artifacts_object_path(const char *objects, const char *sha);
/* Stores a file; fills its hash and size. */
int artifacts_store_file(const char *objects, const char *path, char hex[SHA256_HEX], int64_t *size,
			 struct err *err);
int artifacts_store_buf(const char *objects, const void *data, size_t len, char hex[SHA256_HEX],
			struct err *err);
/* Puts object `sha` at dest (creating directories), as a hard link or a copy. */
int artifacts_restore(const char *objects, const char *sha, const char *dest, struct err *err);
/* Copies a file (contents and mode), replacing dest. */
int artifacts_copy_file(const char *src, const char *dest, struct err *err);

#endif
