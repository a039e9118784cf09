/* artifacts.c - hashing and the content-addressed object store. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mlwb/artifacts.h"

static void to_hex(const unsigned char *md, char hex[SHA256_HEX])
{
	static const char digits[] = "0123456789abcdef";

	for (int i = 0; i < 32; i++) {
		hex[2 * i] = digits[md[i] >> 4];
		hex[2 * i + 1] = digits[md[i] & 15];
	}
	hex[64] = '\0';
}

void artifacts_hash_buf(const void *data, size_t len, char hex[SHA256_HEX])
{
	unsigned char md[32];
	unsigned int mdlen = 0;

	EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL);
	to_hex(md, hex);
}

int artifacts_hash_file(const char *path, char hex[SHA256_HEX], int64_t *size, struct err *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	unsigned char buf[1 << 16], md[32];
	unsigned int mdlen = 0;
	int64_t total = 0;
	ssize_t n;

	if (fd < 0)
		return err_set(err, "cannot read %s: %s", path, strerror(errno));
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	if (!ctx)
		util_fatal("out of memory (EVP_MD_CTX)");
	EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		EVP_DigestUpdate(ctx, buf, (size_t)n);
		total += n;
	}
	int saved = errno;
	close(fd);
	if (n < 0) {
		EVP_MD_CTX_free(ctx);
		return err_setc(err, 1, "cannot read %s: %s", path, strerror(saved));
	}
	EVP_DigestFinal_ex(ctx, md, &mdlen);
	EVP_MD_CTX_free(ctx);
	to_hex(md, hex);
	if (size)
		*size = total;
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int walk(const char *root, const char *rel, struct strv *out, struct err *err)
{
	char *full = path_join(root, rel);
	struct stat st;

	if (lstat(full, &st) < 0) {
		err_set(err, "%s: %s", rel, strerror(errno));
		free(full);
		return -1;
	}
	if (S_ISLNK(st.st_mode) && stat(full, &st) < 0) {
		free(full); /* a dangling link is not data */
		return 0;
	}
	if (S_ISREG(st.st_mode)) {
		strv_push(out, rel);
	} else if (S_ISDIR(st.st_mode)) {
		DIR *d = opendir(full);
		struct dirent *e;
		if (!d) {
			err_set(err, "%s: %s", rel, strerror(errno));
			free(full);
			return -1;
		}
		while ((e = readdir(d))) {
			if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
				continue;
			char *child = path_join(rel, e->d_name);
			int rc = walk(root, child, out, err);
			free(child);
			if (rc < 0) {
				closedir(d);
				free(full);
				return -1;
			}
		}
		closedir(d);
	}
	free(full);
	return 0;
}

int artifacts_list_files(const char *root, const char *rel, struct strv *out, struct err *err)
{
	size_t first = out->n;

	if (walk(root, rel, out, err) < 0)
		return -1;
	if (out->n > first)
		qsort(out->v + first, out->n - first, sizeof(*out->v), cmp_str);
	return 0;
}

int artifacts_hash_path(const char *path, char hex[SHA256_HEX], struct err *err)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return err_set(err, "%s: %s", path, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return artifacts_hash_file(path, hex, NULL, err);
	struct strv files = {0};
	struct sbuf listing;
	if (artifacts_list_files(path, "", &files, err) < 0)
		return -1;
	sbuf_init(&listing);
	for (size_t i = 0; i < files.n; i++) {
		char fh[SHA256_HEX];
		char *full = path_join(path, files.v[i]);
		int rc = artifacts_hash_file(full, fh, NULL, err);
		free(full);
		if (rc < 0) {
			strv_free(&files);
			sbuf_free(&listing);
			return -1;
		}
		sbuf_puts(&listing, files.v[i]);
		sbuf_putc(&listing, '\0');
		sbuf_puts(&listing, fh);
		sbuf_putc(&listing, '\n');
	}
	artifacts_hash_buf(listing.buf ? listing.buf : "", listing.len, hex);
	strv_free(&files);
	sbuf_free(&listing);
	return 0;
}

char *artifacts_object_path(const char *objects, const char *sha)
{
	return xasprintf("%s/%.2s/%s", objects, sha, sha + 2);
}

int artifacts_copy_file(const char *src, const char *dest, struct err *err)
{
	int in = open(src, O_RDONLY | O_CLOEXEC), out;
	struct stat st;
	char *tmp;

	if (in < 0)
		return err_setc(err, 1, "cannot read %s: %s", src, strerror(errno));
	fstat(in, &st);
	tmp = xasprintf("%s.tmp.%ld", dest, (long)getpid());
	out = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, st.st_mode & 0777);
	if (out < 0) {
		err_setc(err, 1, "cannot write %s: %s", dest, strerror(errno));
		close(in);
		free(tmp);
		return -1;
	}
	/* copy_file_range lets the kernel (or a reflink-capable file system)
	 * do the work; fall back to read/write where it cannot. */
	off_t left = st.st_size;
	while (left > 0) {
		ssize_t n = copy_file_range(in, NULL, out, NULL, (size_t)left, 0);
		if (n <= 0)
			break;
		left -= n;
	}
	if (left > 0) {
		char buf[1 << 16];
		ssize_t n;
		lseek(in, st.st_size - left, SEEK_SET);
		while ((n = read(in, buf, sizeof(buf))) > 0)
			if (write(out, buf, (size_t)n) != n) {
				n = -1;
				break;
			}
		if (n < 0) {
			err_setc(err, 1, "cannot copy %s: %s", src, strerror(errno));
			close(in);
			close(out);
			unlink(tmp);
			free(tmp);
			return -1;
		}
	}
	close(in);
	if (close(out) < 0 || rename(tmp, dest) < 0) {
		err_setc(err, 1, "cannot write %s: %s", dest, strerror(errno));
		unlink(tmp);
		free(tmp);
		return -1;
	}
	free(tmp);
	return 0;
}

static int make_parent(const char *path, struct err *err)
{
	char *dir = xstrdup(path);
	char *slash = strrchr(dir, '/');
	int rc = 0;

	if (slash && slash != dir) {
		*slash = '\0';
		rc = path_mkdirs(dir, err);
	}
	free(dir);
	return rc;
}

int artifacts_store_file(const char *objects, const char *path, char hex[SHA256_HEX], int64_t *size,
			 struct err *err)
{
	if (artifacts_hash_file(path, hex, size, err) < 0)
		return -1;
	char *obj = artifacts_object_path(objects, hex);
	int rc = 0;
	if (!path_exists(obj)) {
		if (make_parent(obj, err) < 0) {
			free(obj);
			return -1;
		}
		/* Same file system: the object shares the output's inode, free of
		 * charge.  Both become read-only: an object never changes. */
		if (link(path, obj) == 0 || errno == EEXIST) {
			chmod(obj, 0444);
		} else if ((rc = artifacts_copy_file(path, obj, err)) == 0) {
			chmod(obj, 0444);
		}
	}
	free(obj);
	return rc;
}

int artifacts_store_buf(const char *objects, const void *data, size_t len, char hex[SHA256_HEX],
			struct err *err)
{
	artifacts_hash_buf(data, len, hex);
	char *obj = artifacts_object_path(objects, hex);
	int rc = 0;
	if (!path_exists(obj)) {
		rc = make_parent(obj, err);
		if (rc == 0)
			rc = file_write_atomic(obj, data, len, err);
		if (rc == 0)
			chmod(obj, 0444);
	}
	free(obj);
	return rc;
}

int artifacts_restore(const char *objects, const char *sha, const char *dest, struct err *err)
{
	char *obj = artifacts_object_path(objects, sha);
	int rc;

	if (!path_exists(obj)) {
		err_setc(err, 1, "object %.12s is missing from %s", sha, objects);
		free(obj);
		return -1;
	}
	if ((rc = make_parent(dest, err)) == 0) {
		unlink(dest);
		if (link(obj, dest) < 0)
			rc = artifacts_copy_file(obj, dest, err);
	}
	free(obj);
	return rc;
}
