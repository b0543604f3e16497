// A prototype, not part of the build: float32 log-softmax over [rows, 1024] in C with AVX-512
// intrinsics, two threads (rows halved), against one glibc memcpy of the same bytes (JMH's
// SoftmaxRowsBenchmark reference is the same call, through JavaCPP), best of 30. The library's
// own C rows grew from it (cpu-backend's softmax_rows.c; README: "Softmax rows in C"). Each row is one
// pass for its maximum, one for e^(x - m) with the Java kernels' reduction, polynomial, biased
// scale and ties/rest split (RowSoftmax, FloatKernels), summed in vector accumulators (not the
// Java path's pairwise trees, so its bits differ), and one writing (x - m) - log1p(rest). It
// also prints its worst error against a float64 reference over every 97th row. Run by hand on
// an AVX-512 machine:
//   gcc -O2 -march=native -ffp-contract=off -o /tmp/logsoftmax_rows logsoftmax_rows.c -lm -lpthread
//   /tmp/logsoftmax_rows 4096; /tmp/logsoftmax_rows 16384
#include <immintrin.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define COLS 1024
static float *X, *Y; static int ROWS;

static inline __m512 expparts(__m512 v, __m512 *scale) {
    const __m512 magic = _mm512_set1_ps(0x1.8p23f);
    __m512 kk = _mm512_fmadd_ps(v, _mm512_set1_ps(1.44269504088896341f), magic);
    __m512 m = _mm512_sub_ps(kk, magic);
    __m512 r = _mm512_fmadd_ps(m, _mm512_set1_ps(-0.693359375f), v);
    r = _mm512_fmadd_ps(m, _mm512_set1_ps(2.12194440e-4f), r);
    __m512 q = _mm512_fmadd_ps(_mm512_set1_ps(1.9875691500E-4f), r, _mm512_set1_ps(1.3981999507E-3f));
    q = _mm512_fmadd_ps(q, r, _mm512_set1_ps(8.3334519073E-3f));
    q = _mm512_fmadd_ps(q, r, _mm512_set1_ps(4.1665795894E-2f));
    q = _mm512_fmadd_ps(q, r, _mm512_set1_ps(1.6666665459E-1f));
    q = _mm512_fmadd_ps(q, r, _mm512_set1_ps(5.0000001201E-1f));
    __m512 p = _mm512_add_ps(_mm512_fmadd_ps(q, _mm512_mul_ps(r, r), r), _mm512_set1_ps(1.0f));
    __m512i bits = _mm512_sub_epi32(_mm512_castps_si512(kk), _mm512_set1_epi32(0x4B400000));
    *scale = _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_add_epi32(bits, _mm512_set1_epi32(127 + 64)), 23));
    return p;
}

static void rows(int from, int to) {
    for (int row = from; row < to; row++) {
        const float *x = X + (size_t) row * COLS; float *y = Y + (size_t) row * COLS;
        __m512 mx = _mm512_loadu_ps(x);
        for (int i = 16; i < COLS; i += 16) mx = _mm512_max_ps(mx, _mm512_loadu_ps(x + i));
        float m = _mm512_reduce_max_ps(mx);
        __m512 vm = _mm512_set1_ps(m), rest = _mm512_setzero_ps(), ties = _mm512_setzero_ps();
        const __m512 unbias = _mm512_set1_ps(0x1p-64f), thr = _mm512_set1_ps(0.5f - 0x1p-24f), magic = _mm512_set1_ps(0x1.8p23f);
        for (int i = 0; i < COLS; i += 16) {
            __m512 sc; __m512 p = expparts(_mm512_sub_ps(_mm512_loadu_ps(x + i), vm), &sc);
            __m512 e = _mm512_mul_ps(_mm512_mul_ps(p, sc), unbias);
            __m512 t = _mm512_sub_ps(_mm512_add_ps(_mm512_sub_ps(e, thr), magic), magic);
            rest = _mm512_add_ps(rest, _mm512_sub_ps(e, t));
            ties = _mm512_add_ps(ties, t);
        }
        float l = (float) log1p((double) _mm512_reduce_add_ps(ties) - 1 + (double) _mm512_reduce_add_ps(rest));
        __m512 vl = _mm512_set1_ps(l);
        for (int i = 0; i < COLS; i += 16)
            _mm512_storeu_ps(y + i, _mm512_sub_ps(_mm512_sub_ps(_mm512_loadu_ps(x + i), vm), vl));
    }
}
static void *worker(void *a) { long h = (long) a; rows(h * ROWS / 2, (h + 1) * ROWS / 2); return 0; }
static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec * 1e-9; }

int main(int argc, char **argv) {
    ROWS = atoi(argv[1]);
    size_t n = (size_t) ROWS * COLS;
    X = aligned_alloc(64, n * 4); Y = aligned_alloc(64, n * 4); float *Z = aligned_alloc(64, n * 4);
    srand(1); for (size_t i = 0; i < n; i++) X[i] = (float) (rand() / (double) RAND_MAX * 6 - 3);
    memset(Y, 0, n * 4); memset(Z, 0, n * 4);
    double bc = 1e9, bl = 1e9, b1 = 1e9;
    for (int rep = 0; rep < 30; rep++) {
        double t = now(); memcpy(Z, X, n * 4); t = now() - t; if (t < bc) bc = t;
        t = now();
        pthread_t th[2];
        for (long h = 0; h < 2; h++) pthread_create(&th[h], 0, worker, (void *) h);
        for (int h = 0; h < 2; h++) pthread_join(th[h], 0);
        t = now() - t;
        if (t < bl) bl = t;
        t = now(); rows(0, 64); t = now() - t; if (t < b1) b1 = t;
    }
    double worst = 0;
    for (int row = 0; row < ROWS; row += 97) {
        const float *x = X + (size_t) row * COLS; double mm = -1e300, sum = 0;
        for (int i = 0; i < COLS; i++) if (x[i] > mm) mm = x[i];
        for (int i = 0; i < COLS; i++) sum += exp((double) x[i] - mm);
        for (int i = 0; i < COLS; i++) { double ref = (x[i] - mm) - log(sum); double ulp = nextafterf((float) fabs(ref), INFINITY) - (float) fabs(ref);
            double err = fabs(Y[(size_t) row * COLS + i] - ref) / ulp; if (err > worst) worst = err; }
    }
    printf("worst error %.3f ulp (sampled rows)\n", worst);
    printf("[%d, 1024]: memcpy %.3f ms (%.1f GB/s as 8 B/elem), log-softmax 2 threads %.3f ms (%.2fx), 64 rows (256 KB, in L2) on one thread %.3f ns/elem; y[0]=%g\n",
        ROWS, bc * 1e3, n * 8 / bc / 1e9, bl * 1e3, bc / bl, b1 / (64 * 1024) * 1e9, Y[0]);
    return 0;
}
