// The fused optimiser updates of the backend SPI (dev.descent.core.spi.SgdUpdate and
// AdamUpdate hold the equations): one pass over contiguous tensors, each element read once
// and written once. The host folds the step's constants (bias corrections, 1 - beta) into the
// arguments, in the tensor's precision, exactly as the CPU backend's FusedOptimizerKernels do.
#include "descent.cuh"

// b may be null when momentum is 0 (hasMomentum == 0).
template <typename T>
__device__ void sgd_kernel(i64 n, T* p, const T* g, T* b, T lr, T weightDecay, T momentum, T keep, T sign,
                           int hasMomentum, int firstStep, int nesterov) {
    FOR_EACH_ELEMENT(i, n) {
        T x = p[i];
        T d = sign * g[i] + weightDecay * x;
        if (hasMomentum) {
            T v = firstStep ? d : momentum * b[i] + keep * d;
            b[i] = v;
            d = nesterov ? keep * d + momentum * v : v;
        }
        p[i] = x - lr * d;
    }
}

// vmax may be null without AMSGrad.
template <typename T>
__device__ void adam_kernel(i64 n, T* p, const T* g, T* m, T* v, T* vmax, T sign, T beta1, T beta2, T oneMinusBeta1,
                            T oneMinusBeta2, T eps, T stepSize, T sqrtC2, T invC2, T l2, T shrink, int epsInsideSqrt) {
    FOR_EACH_ELEMENT(i, n) {
        T x = p[i];
        T d = sign * g[i] + l2 * x;
        x *= shrink;
        T mi = beta1 * m[i] + oneMinusBeta1 * d;
        T vi = beta2 * v[i] + oneMinusBeta2 * d * d;
        m[i] = mi;
        v[i] = vi;
        if (vmax != nullptr) {
            vi = java_max(vmax[i], vi);
            vmax[i] = vi;
        }
        T denom = epsInsideSqrt ? m_sqrt(vi * invC2 + eps) : m_sqrt(vi) / sqrtC2 + eps;
        p[i] = x - stepSize * mi / denom;
    }
}

#define OPTIM(SUFFIX, T)                                                                                      \
    extern "C" __global__ void sgd_##SUFFIX(i64 n, T* p, const T* g, T* b, T lr, T weightDecay, T momentum,   \
                                            T keep, T sign, int hasMomentum, int firstStep, int nesterov) {  \
        sgd_kernel<T>(n, p, g, b, lr, weightDecay, momentum, keep, sign, hasMomentum, firstStep, nesterov);   \
    }                                                                                                         \
    extern "C" __global__ void adam_##SUFFIX(i64 n, T* p, const T* g, T* m, T* v, T* vmax, T sign, T beta1,   \
                                             T beta2, T oneMinusBeta1, T oneMinusBeta2, T eps, T stepSize,    \
                                             T sqrtC2, T invC2, T l2, T shrink, int epsInsideSqrt) {          \
        adam_kernel<T>(n, p, g, m, v, vmax, sign, beta1, beta2, oneMinusBeta1, oneMinusBeta2, eps, stepSize, \
                       sqrtC2, invC2, l2, shrink, epsInsideSqrt);                                             \
    }

OPTIM(f32, float)
OPTIM(f64, double)
