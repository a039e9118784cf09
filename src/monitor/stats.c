/* stats.c - the distributions and distances of the drift tests, computed the
 * way scipy 1.10 and numpy 1.24 compute them, so that the numbers agree to
 * the last few digits: the same algorithm per region (Simard & L'Ecuyer's
 * choice for the Kolmogorov distribution), the same floating-point steps
 * where they decide a result (numpy's Sturges bin count, the exact KS
 * lattice recursion), and wider sums where numpy sums pairwise.
 */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mlwb/drift.h"
#include "mlwb/util.h"

static double clip01(double p)
{
	return p < 0 ? 0 : p > 1 ? 1 : p;
}

/* ---- sorting: LSD radix on the order-preserving bit pattern ---- */

static uint64_t key_of(double d)
{
	uint64_t u;
	memcpy(&u, &d, 8);
	return (u & 0x8000000000000000ULL) ? ~u : (u | 0x8000000000000000ULL);
}

static double double_of(uint64_t k)
{
	uint64_t u = (k & 0x8000000000000000ULL) ? (k & ~0x8000000000000000ULL) : ~k;
	double d;
	memcpy(&d, &u, 8);
	return d;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

void stat_sort(double *v, size_t n)
{
	if (n < 512) {
		qsort(v, n, sizeof(double), cmp_double);
		return;
	}
	uint64_t *a = xmalloc(n * sizeof(uint64_t)), *b = xmalloc(n * sizeof(uint64_t));
	enum { BITS = 11, BUCKETS = 1 << BITS, PASSES = 6 };
	size_t (*count)[BUCKETS] = xcalloc(PASSES, sizeof(*count));
	for (size_t i = 0; i < n; i++) {
		uint64_t k = key_of(v[i]);
		a[i] = k;
		for (int p = 0; p < PASSES; p++)
			count[p][(k >> (p * BITS)) & (BUCKETS - 1)]++;
	}
	for (int p = 0; p < PASSES; p++) {
		/* a pass where every key has the same digit changes nothing */
		size_t first = (a[0] >> (p * BITS)) & (BUCKETS - 1);
		if (count[p][first] == n)
			continue;
		size_t sum = 0;
		for (size_t d = 0; d < BUCKETS; d++) {
			size_t c = count[p][d];
			count[p][d] = sum;
			sum += c;
		}
		for (size_t i = 0; i < n; i++)
			b[count[p][(a[i] >> (p * BITS)) & (BUCKETS - 1)]++] = a[i];
		uint64_t *t = a;
		a = b;
		b = t;
	}
	for (size_t i = 0; i < n; i++)
		v[i] = double_of(a[i]);
	free(count);
	free(a);
	free(b);
}

/* ---- normal, chi-square ---- */

double stat_ndtr(double a)
{
	double x = a * M_SQRT1_2, z = fabs(x), y;
	if (z < M_SQRT1_2) {
		y = 0.5 + 0.5 * erf(x);
	} else {
		y = 0.5 * erfc(z);
		if (x > 0)
			y = 1.0 - y;
	}
	return y;
}

#define MACHEP 1.11022302462515654042e-16
#define MAXLOG 7.09782712893383996843e2
#define MINLOG (-7.08396418532264106224e2)

/* regularized lower incomplete gamma by its series (x < a + 1) */
static double igam_series(double a, double x)
{
	double ax = a * log(x) - x - lgamma(a);
	if (ax < -MAXLOG)
		return 0.0;
	ax = exp(ax);
	double r = a, c = 1.0, ans = 1.0;
	do {
		r += 1.0;
		c *= x / r;
		ans += c;
	} while (c / ans > MACHEP);
	return ans * ax / a;
}

/* regularized upper incomplete gamma by its continued fraction */
static double igamc_cf(double a, double x)
{
	static const double big = 4.503599627370496e15, biginv = 2.22044604925031308085e-16;
	double ax = a * log(x) - x - lgamma(a);
	if (ax < -MAXLOG)
		return 0.0;
	ax = exp(ax);
	double y = 1.0 - a, z = x + y + 1.0, c = 0.0;
	double pkm2 = 1.0, qkm2 = x, pkm1 = x + 1.0, qkm1 = z * x;
	double ans = pkm1 / qkm1, t;
	do {
		c += 1.0;
		y += 1.0;
		z += 2.0;
		double yc = y * c;
		double pk = pkm1 * z - pkm2 * yc, qk = qkm1 * z - qkm2 * yc;
		if (qk != 0) {
			double r = pk / qk;
			t = fabs((ans - r) / r);
			ans = r;
		} else {
			t = 1.0;
		}
		pkm2 = pkm1;
		pkm1 = pk;
		qkm2 = qkm1;
		qkm1 = qk;
		if (fabs(pk) > big) {
			pkm2 *= biginv;
			pkm1 *= biginv;
			qkm2 *= biginv;
			qkm1 *= biginv;
		}
	} while (t > MACHEP);
	return ans * ax;
}

double stat_chi2_sf(double x, double dof)
{
	if (isnan(x) || dof <= 0)
		return NAN;
	if (x <= 0)
		return 1.0;
	if (isinf(x))
		return 0.0;
	double a = dof / 2, xx = x / 2;
	if (xx < 1.0 || xx < a)
		return 1.0 - igam_series(a, xx);
	return igamc_cf(a, xx);
}

/* ---- one-sided Smirnov (scipy.special.smirnov) ---- */

/* The survival function by the Birnbaum-Tingey sum, each term in long
 * double logarithms; n*x is split exactly (fma) as scipy splits it in
 * double-double. */
double stat_smirnov(int64_t n, double x)
{
	if (!(n > 0 && x >= 0.0 && x <= 1.0))
		return NAN;
	if (n == 1)
		return 1 - x;
	if (x == 0.0)
		return 1.0;
	if (x == 1.0)
		return 0.0;
	double nd = (double)n;
	double hi = nd * x, lo = fma(nd, x, -hi);
	double fl = floor(hi);
	long double alpha = (long double)(hi - fl) + lo;
	if (alpha < 0) {
		fl -= 1;
		alpha += 1;
	}
	int64_t nxfl = (int64_t)fl;
	if (alpha >= 1) {
		nxfl += 1;
		alpha = 0;
	}
	if (nxfl == 0 || (nxfl == 1 && alpha == 0)) {
		double cdf = x * pow(1 + x, nd - 1);
		return clip01(1 - cdf);
	}
	if (-2 * nd * x * x < MINLOG)
		return 0.0;
	if (nxfl >= n - 1)
		return clip01(pow(1 - x, nd));
	if (n > 1000000) {
		double logp = -pow(6 * nd * x + 1.0, 2) / 18.0 / nd;
		return clip01(exp(logp));
	}
	int64_t last = n - nxfl - 1; /* v = 0 .. last */
	long double nl = (long double)n, sum = 0;
	long double lgn = lgammal(nl + 1);
	for (int64_t v = 0; v <= last; v++) {
		/* A_v = C(n,v) (x + v/n)^(v-1) (1 - x - v/n)^(n-v) */
		long double a1 = ((long double)(nxfl + v) + alpha) / nl;
		long double a2 = ((long double)(n - nxfl - v) - alpha) / nl;
		long double lc = lgn - lgammal((long double)v + 1) - lgammal((long double)(n - v) + 1);
		long double lt = lc + (long double)(v - 1) * logl(a1) + (long double)(n - v) * logl(a2);
		long double term = expl(lt);
		sum += term;
		if (term != 0) {
			if (4.0L * (long double)(last + 1 - v) * term < DBL_EPSILON * sum && v != last)
				break;
		} else if (v > n / 2) {
			break;
		}
	}
	return clip01((double)((long double)x * sum));
}

/* ---- the two-sided one-sample Kolmogorov distribution (kstwo) ---- */

static const double stirling[] = {
	-2.955065359477124183e-2, 6.4102564102564102564e-3, -1.9175269175269175269e-3,
	8.4175084175084175084e-4, -5.952380952380952381e-4, 7.9365079365079365079e-4,
	-2.7777777777777777778e-3, 8.3333333333333333333e-2,
};

static double log_nfact_div_npown(double n)
{
	double rn = 1.0 / n, y = rn / n, pv = 0;
	for (size_t i = 0; i < sizeof(stirling) / sizeof(*stirling); i++)
		pv = pv * y + stirling[i];
	return log(n) / 2 - n + log(2 * M_PI) / 2 + rn * pv;
}

#define E128 128
static const double EP128 = 3.402823669209384634633746074317682114560e38; /* 2^128 */
static const double EM128 = 2.938735877055718769921841343055614194547e-39; /* 2^-128 */

static void matmul(const double *A, const double *B, double *C, int m)
{
	for (int i = 0; i < m; i++)
		for (int j = 0; j < m; j++) {
			double s = 0;
			for (int k = 0; k < m; k++)
				s += A[i * m + k] * B[k * m + j];
			C[i * m + j] = s;
		}
}

/* Durbin's matrix algorithm as Marsaglia, Tsang and Wang give it: the CDF */
static double kolmogn_dmtw(int64_t n, double d)
{
	if (d >= 1.0)
		return 1.0;
	double nd = (double)n * d;
	if (nd <= 0.5)
		return 0.0;
	int k = (int)ceil(nd);
	double h = k - nd;
	int m = 2 * k - 1;
	double *H = xcalloc((size_t)m * m, sizeof(double)), *v = xmalloc((size_t)m * sizeof(double));
	double *w = xmalloc((size_t)m * sizeof(double));
	double fac = 1.0;
	for (int j = 1; j <= m; j++) {
		v[j - 1] = 1.0 - pow(h, j);
		w[j - 1] = fac;
		fac /= j;
		v[j - 1] *= fac;
	}
	double tt = pow(fmax(2 * h - 1.0, 0), m) - 2 * pow(h, m);
	v[m - 1] = (1.0 + tt) * fac;
	for (int i = 1; i < m; i++)
		for (int r = i - 1; r < m; r++)
			H[r * m + i] = w[r - (i - 1)];
	for (int r = 0; r < m; r++)
		H[r * m] = v[r];
	for (int c = 0; c < m; c++)
		H[(m - 1) * m + c] = v[m - 1 - c];
	double *P = xcalloc((size_t)m * m, sizeof(double)), *T = xmalloc((size_t)m * m * sizeof(double));
	for (int i = 0; i < m; i++)
		P[i * m + i] = 1.0;
	int64_t nn = n, expnt = 0, hexpnt = 0;
	while (nn > 0) {
		if (nn % 2) {
			matmul(P, H, T, m);
			memcpy(P, T, (size_t)m * m * sizeof(double));
			expnt += hexpnt;
		}
		matmul(H, H, T, m);
		memcpy(H, T, (size_t)m * m * sizeof(double));
		hexpnt *= 2;
		if (fabs(H[(k - 1) * m + (k - 1)]) > EP128) {
			for (int i = 0; i < m * m; i++)
				H[i] /= EP128;
			hexpnt += E128;
		}
		nn /= 2;
	}
	long double p = P[(k - 1) * m + (k - 1)];
	for (int64_t i = 1; i <= n; i++) {
		p = (long double)i * p / (long double)n;
		if (fabsl(p) < EM128) {
			p *= EP128;
			expnt -= E128;
		}
	}
	double r = (double)p;
	if (expnt != 0)
		r = ldexp(r, (int)expnt);
	free(H);
	free(v);
	free(w);
	free(P);
	free(T);
	return clip01(r);
}

static void pomeranz_j1j2(int64_t i, int64_t n, int64_t ll, int64_t ceilf, int64_t roundf, int64_t *j1,
			  int64_t *j2)
{
	int64_t a, b;
	if (i == 0) {
		a = -ll - ceilf - 1;
		b = ll + ceilf - 1;
	} else {
		int64_t div2 = (i + 1) / 2, mod2 = (i + 1) % 2;
		if (mod2 == 0) {
			if (div2 == n + 1) {
				a = n - ll - ceilf - 1;
				b = n + ll + ceilf - 1;
			} else {
				a = div2 - 1 - ll - roundf - 1;
				b = div2 + ll - 1 + ceilf - 1;
			}
		} else {
			a = div2 - 1 - ll - 1;
			b = div2 + ll + roundf - 1;
		}
	}
	*j1 = a + 2 > 0 ? a + 2 : 0;
	*j2 = b < n ? b : n;
}

/* Pomeranz's recursion: the CDF */
static double kolmogn_pomeranz(int64_t n, double x)
{
	double t = (double)n * x;
	int64_t ll = (int64_t)floor(t);
	double f = t - (double)ll;
	double g = fmin(f, 1.0 - f);
	int64_t ceilf = f > 0 ? 1 : 0, roundf = f > 0.5 ? 1 : 0;
	int64_t npwrs = 2 * (ll + 1);
	double *gp = xmalloc((size_t)npwrs * sizeof(double)), *tgp = xmalloc((size_t)npwrs * sizeof(double));
	double *omp = xmalloc((size_t)npwrs * sizeof(double));
	gp[0] = tgp[0] = omp[0] = 1.0;
	double gn = g / (double)n, tgn = 2 * g / (double)n, omn = (1 - 2 * g) / (double)n;
	for (int64_t m = 1; m < npwrs; m++) {
		gp[m] = gp[m - 1] * gn / (double)m;
		tgp[m] = tgp[m - 1] * tgn / (double)m;
		omp[m] = omp[m - 1] * omn / (double)m;
	}
	double *V0 = xcalloc((size_t)npwrs, sizeof(double)), *V1 = xcalloc((size_t)npwrs, sizeof(double));
	V1[0] = 1;
	int64_t V0s = 0, V1s = 0, j1, j2, expnt = 0;
	pomeranz_j1j2(0, n, ll, ceilf, roundf, &j1, &j2);
	for (int64_t i = 1; i < 2 * n + 2; i++) {
		int64_t k1 = j1;
		double *tmp = V0;
		V0 = V1;
		V1 = tmp;
		int64_t ts = V0s;
		V0s = V1s;
		V1s = ts;
		memset(V1, 0, (size_t)npwrs * sizeof(double));
		pomeranz_j1j2(i, n, ll, ceilf, roundf, &j1, &j2);
		const double *pw = (i == 1 || i == 2 * n + 1) ? gp : (i % 2 ? tgp : omp);
		int64_t ln2 = j2 - k1 + 1;
		if (ln2 > 0) {
			const double *a = V0 + (k1 - V0s);
			int64_t cs = j1 - k1, cl = j2 - j1 + 1;
			double vmax = 0;
			int64_t alen = ln2, plen = ln2 < npwrs ? ln2 : npwrs;
			if (alen > npwrs - (k1 - V0s))
				alen = npwrs - (k1 - V0s);
			for (int64_t q = 0; q < cl; q++) {
				int64_t idx = cs + q; /* conv[idx] = sum a[r] pw[idx - r] */
				double s = 0;
				int64_t lo = idx - (plen - 1) > 0 ? idx - (plen - 1) : 0;
				for (int64_t r = lo; r <= idx && r < alen; r++)
					s += a[r] * pw[idx - r];
				V1[q] = s;
				if (s > vmax)
					vmax = s;
			}
			if (0 < vmax && vmax < EM128) {
				for (int64_t q = 0; q < npwrs; q++)
					V1[q] *= EP128;
				expnt -= E128;
			}
			V1s = V0s + j1 - k1;
		}
	}
	double ans = V1[n - V1s];
	for (int64_t m = 1; m <= n; m++) {
		if (fabs(ans) > EP128) {
			ans *= EM128;
			expnt += E128;
		}
		ans *= (double)m;
	}
	if (expnt != 0)
		ans = ldexp(ans, (int)expnt);
	free(gp);
	free(tgp);
	free(omp);
	free(V0);
	free(V1);
	return clip01(ans);
}

/* Pelz and Good's asymptotic series: the CDF */
static double kolmogn_pelzgood(int64_t n, double x)
{
	if (x <= 0.0)
		return 0.0;
	if (x >= 1.0)
		return 1.0;
	const double pi2 = M_PI * M_PI, pi4 = pi2 * pi2, pi6 = pi4 * pi2;
	const double sqrt2pi = sqrt(2 * M_PI);
	double z = sqrt((double)n) * x;
	double z2 = z * z, z3 = z2 * z, z4 = z2 * z2, z6 = z4 * z2;
	double qlog = -pi2 / 8 / z2;
	if (qlog < -708)
		return 0.0;
	double q = exp(qlog);
	double k1a = -z2, k1b = pi2 / 4;
	double k2a = 6 * z6 + 2 * z4, k2b = (2 * z4 - 5 * z2) * pi2 / 4, k2c = pi4 * (1 - 2 * z2) / 16;
	double k3d = pi6 * (5 - 30 * z2) / 64, k3c = pi4 * (-60 * z2 + 212 * z4) / 16;
	double k3b = pi2 * (135 * z4 - 96 * z6) / 4, k3a = -30 * z6 - 90 * pow(z, 8);
	double K[4] = {0, 0, 0, 0};
	int maxk = (int)ceil(16 * z / M_PI);
	for (int k = maxk; k > 0; k--) {
		double m = 2 * k - 1, m2 = m * m, m4 = m2 * m2, m6 = m4 * m2;
		double qp = pow(q, 8 * k);
		double c[4] = {1.0, k1a + k1b * m2, k2a + k2b * m2 + k2c * m4,
			       k3a + k3b * m2 + k3c * m4 + k3d * m6};
		for (int i = 0; i < 4; i++)
			K[i] = K[i] * qp + c[i];
	}
	double div[4] = {z, 6 * z4, 72 * pow(z, 7), 6480 * pow(z, 10)};
	for (int i = 0; i < 4; i++)
		K[i] = K[i] * q * sqrt2pi / div[i];
	q = exp(-pi2 / 2 / z2);
	double k2x = 0, k3x = 0, s3z = sqrt(3.0) * z;
	for (int k = maxk; k > 0; k--) {
		double kk = (double)k * k, qp = pow(q, kk), kpi = M_PI * k;
		k2x += kk * qp;
		k3x += (s3z + kpi) * (s3z - kpi) * kk * qp;
	}
	K[2] += k2x * (pi2 * sqrt2pi / (-36 * z3));
	K[3] += k3x * (pi2 * sqrt2pi / (216 * z6));
	double sum = 0;
	for (int i = 0; i < 4; i++)
		sum += K[i] / pow((double)n, i / 2.0);
	return sum;
}

double stat_kstwo_sf(double x, int64_t n)
{
	if (n <= 0 || isnan(x))
		return NAN;
	if (x >= 1.0)
		return 0.0;
	if (x <= 0.0)
		return 1.0;
	double nd = (double)n, t = nd * x;
	if (t <= 1.0) {
		if (t <= 0.5)
			return 1.0;
		double prob;
		if (n <= 140) {
			prob = 1.0;
			for (int64_t i = 1; i <= n; i++)
				prob *= (double)i * (1.0 / nd) * (2 * t - 1);
		} else {
			prob = exp(log_nfact_div_npown(nd) + nd * log(2 * t - 1));
		}
		return clip01(1.0 - prob);
	}
	if (t >= nd - 1)
		return clip01(2 * pow(1.0 - x, nd));
	if (x >= 0.5)
		return clip01(2 * stat_smirnov(n, x));
	double nxsq = t * x;
	if (n <= 140) {
		if (nxsq <= 0.754693)
			return clip01(1.0 - kolmogn_dmtw(n, x));
		if (nxsq <= 4)
			return clip01(1.0 - kolmogn_pomeranz(n, x));
		return clip01(2 * stat_smirnov(n, x));
	}
	if (nxsq >= 370.0)
		return 0.0;
	if (nxsq >= 2.2)
		return clip01(2 * stat_smirnov(n, x));
	double cdf;
	if (nxsq >= 18.0)
		cdf = 1.0;
	else if (n <= 100000 && nd * pow(x, 1.5) <= 1.4)
		cdf = kolmogn_dmtw(n, x);
	else
		cdf = kolmogn_pelzgood(n, x);
	return clip01(1.0 - clip01(cdf));
}

/* ---- two-sample KS ---- */

static int64_t gcd64(int64_t a, int64_t b)
{
	while (b) {
		int64_t t = a % b;
		a = b;
		b = t;
	}
	return a;
}

/* Pr(D >= h/n) for n1 == n2 == n (scipy's _compute_prob_outside_square) */
static double ks_outside_square(int64_t n, int64_t h)
{
	double P = 0.0;
	int64_t k = (int64_t)floor((double)n / (double)h);
	while (k >= 0) {
		double p1 = 1.0;
		for (int64_t j = 0; j < h; j++)
			p1 = (double)(n - k * h - j) * p1 / (double)(n + k * h + j + 1);
		P = p1 * (1.0 - P);
		k--;
	}
	return 2 * P;
}

/* The share of lattice paths from (0,0) to (m,n) that leave the band
 * |x/m - y/n| < h/lcm, by Viehmann's recursion for 1 - p (scipy's
 * _compute_outer_prob_inside_method). */
static double ks_outer_inside(int64_t m, int64_t n, int64_t g, int64_t h)
{
	if (m < n) {
		int64_t t = m;
		m = n;
		n = t;
	}
	int64_t mg = m / g, ng = n / g;
	int64_t minj = 0, maxj = (int64_t)ceil((double)h / (double)mg);
	if (maxj > n + 1)
		maxj = n + 1;
	int64_t curlen = maxj - minj;
	double *A = xmalloc((size_t)(n + 3) * sizeof(double));
	for (int64_t i = 0; i < n + 3; i++)
		A[i] = 1.0;
	for (int64_t i = minj; i < maxj; i++)
		A[i] = 0.0;
	double result;
	for (int64_t i = 1; i <= m; i++) {
		int64_t lastminj = minj, lastlen = curlen;
		minj = (int64_t)floor((double)(ng * i - h) / (double)mg) + 1;
		if (minj < 0)
			minj = 0;
		if (minj > n)
			minj = n;
		maxj = (int64_t)ceil((double)(ng * i + h) / (double)mg);
		if (maxj > n + 1)
			maxj = n + 1;
		if (maxj <= minj) {
			free(A);
			return 1.0;
		}
		double val = minj == 0 ? 0.0 : 1.0;
		for (int64_t jj = 0; jj < maxj - minj; jj++) {
			int64_t j = jj + minj;
			val = (A[jj + minj - lastminj] * (double)i + val * (double)j) / (double)(i + j);
			A[jj] = val;
		}
		curlen = maxj - minj;
		for (int64_t q = curlen; q < lastlen; q++)
			A[q] = 1.0;
	}
	result = A[maxj - minj - 1];
	free(A);
	return result;
}

double stat_ks_2samp(const double *a, size_t na, const double *b, size_t nb, double *dout)
{
	/* D from the two ECDFs at every value, as (i/n1 - j/n2) in doubles */
	double dmax = -INFINITY, dmin = INFINITY;
	size_t i = 0, j = 0;
	while (i < na || j < nb) {
		double v = (j >= nb || (i < na && a[i] <= b[j])) ? a[i] : b[j];
		while (i < na && a[i] <= v)
			i++;
		while (j < nb && b[j] <= v)
			j++;
		double diff = (double)i / (double)na - (double)j / (double)nb;
		if (diff > dmax)
			dmax = diff;
		if (diff < dmin)
			dmin = diff;
	}
	double minS = clip01(-dmin), maxS = dmax;
	double d = minS > maxS ? minS : maxS;
	int64_t n1 = (int64_t)na, n2 = (int64_t)nb;
	double p = NAN;
	bool exact = (n1 > n2 ? n1 : n2) <= 10000;
	if (exact) {
		int64_t g = gcd64(n1, n2);
		int64_t lcm = (n1 / g) * n2;
		int64_t h = (int64_t)nearbyint(d * (double)lcm);
		d = (double)h * 1.0 / (double)lcm;
		if (h == 0)
			p = 1.0;
		else if (n1 == n2)
			p = ks_outside_square(n1, h);
		else
			p = ks_outer_inside(n1, n2, g, h);
		if (!(p >= 0 && p <= 1))
			exact = false;
	}
	if (!exact) {
		double m = (double)(n1 > n2 ? n1 : n2), n = (double)(n1 > n2 ? n2 : n1);
		double en = m * n / (m + n);
		p = stat_kstwo_sf(d, (int64_t)nearbyint(en));
	}
	*dout = d;
	return clip01(p);
}

/* ---- Wasserstein, std, Sturges ---- */

double stat_wasserstein(const double *a, size_t na, const double *b, size_t nb)
{
	/* integral of |F_a - F_b| over the merged sample */
	long double sum = 0;
	size_t i = 0, j = 0;
	double prev = 0;
	bool first = true;
	while (i < na || j < nb) {
		double v = (j >= nb || (i < na && a[i] <= b[j])) ? a[i] : b[j];
		if (!first) {
			double ua = (double)i / (double)na, ub = (double)j / (double)nb;
			sum += (long double)fabs(ua - ub) * (long double)(v - prev);
		}
		first = false;
		prev = v;
		while (i < na && a[i] <= v)
			i++;
		while (j < nb && b[j] <= v)
			j++;
	}
	return (double)sum;
}

double stat_std(const double *a, size_t n)
{
	if (!n)
		return NAN;
	long double s = 0;
	for (size_t i = 0; i < n; i++)
		s += a[i];
	double mean = (double)(s / (long double)n);
	long double q = 0;
	for (size_t i = 0; i < n; i++) {
		double d = a[i] - mean;
		q += (long double)d * d;
	}
	return sqrt((double)(q / (long double)n));
}

size_t stat_sturges_edges(const double *a, size_t na, const double *b, size_t nb, double **edges)
{
	double lo = na ? a[0] : b[0], hi = na ? a[na - 1] : b[nb - 1];
	if (nb && b[0] < lo)
		lo = b[0];
	if (nb && b[nb - 1] > hi)
		hi = b[nb - 1];
	double ptp = hi - lo;
	double first = lo, last = hi;
	if (first == last) {
		first -= 0.5;
		last += 0.5;
	}
	size_t nbins = 1;
	/* numpy: width = ptp / (log2(size) + 1); n = ceil((last - first) / width) */
	double width = ptp / (log2((double)(na + nb)) + 1.0);
	if (width != 0)
		nbins = (size_t)ceil((last - first) / width);
	double *e = xmalloc((nbins + 1) * sizeof(double));
	double step = (last - first) / (double)nbins;
	for (size_t i = 0; i < nbins; i++)
		e[i] = (double)i * step + first;
	e[nbins] = last;
	*edges = e;
	return nbins;
}
