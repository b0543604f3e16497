package dev.descent.optim;

/**
 * The update equations written out as plain double loops, independently of the tensor code:
 * one object per optimiser run holds its state arrays, {@link #step} applies one update to
 * {@code p} in place given the gradient {@code g}.
 */
abstract class ReferenceSteps {
    int t;

    abstract void step(double[] p, double[] g);

    static double[] zeros(int n) {
        return new double[n];
    }

    /** PyTorch SGD, classic momentum (seed 004 eq. 2.7), Nesterov, dampening, L2, maximize. */
    static ReferenceSteps sgd(double lr, double mu, double damp, double wd, boolean nesterov, boolean max) {
        return new ReferenceSteps() {
            double[] b;

            @Override
            void step(double[] p, double[] g) {
                for (int i = 0; i < p.length; i++) {
                    double d = (max ? -g[i] : g[i]) + wd * p[i];
                    if (mu != 0) {
                        if (b == null) {
                            b = new double[p.length];
                            b[i] = d;
                        } else if (t == 0) {
                            b[i] = d;
                        } else {
                            b[i] = mu * b[i] + (1 - damp) * d;
                        }
                        d = nesterov ? d + mu * b[i] : b[i];
                    }
                    p[i] -= lr * d;
                }
                t++;
            }
        };
    }

    /** Seed 003 eq. 6.11 / 6.12 (look-ahead form): m = βm + (1−β)g from m₀ = 0. */
    static ReferenceSteps emaMomentum(double lr, double beta, boolean nesterov) {
        return new ReferenceSteps() {
            double[] m;

            @Override
            void step(double[] p, double[] g) {
                if (m == null) {
                    m = zeros(p.length);
                }
                for (int i = 0; i < p.length; i++) {
                    m[i] = beta * m[i] + (1 - beta) * g[i];
                    double u = nesterov ? (1 - beta) * g[i] + beta * m[i] : m[i];
                    p[i] -= lr * u;
                }
                t++;
            }
        };
    }

    /** Adam / AMSGrad / AdamW (seed 003 eqs. 6.15–6.17 and PyTorch's eps placement). */
    static ReferenceSteps adam(double lr, double b1, double b2, double eps, double wd, boolean decoupled,
            boolean amsgrad, boolean epsInside, boolean max) {
        return new ReferenceSteps() {
            double[] m;
            double[] v;
            double[] vmax;

            @Override
            void step(double[] p, double[] g) {
                if (m == null) {
                    m = zeros(p.length);
                    v = zeros(p.length);
                    vmax = zeros(p.length);
                }
                t++;
                for (int i = 0; i < p.length; i++) {
                    double d = max ? -g[i] : g[i];
                    if (decoupled) {
                        p[i] *= 1 - lr * wd;
                    } else {
                        d += wd * p[i];
                    }
                    m[i] = b1 * m[i] + (1 - b1) * d;
                    v[i] = b2 * v[i] + (1 - b2) * d * d;
                    vmax[i] = Math.max(vmax[i], v[i]);
                    double mHat = m[i] / (1 - Math.pow(b1, t));
                    double vHat = (amsgrad ? vmax[i] : v[i]) / (1 - Math.pow(b2, t));
                    double denom = epsInside ? Math.sqrt(vHat + eps) : Math.sqrt(vHat) + eps;
                    p[i] -= lr * mHat / denom;
                }
            }
        };
    }

    /** AdaGrad (seed 002): r += g², θ −= α_t g / (δ + √r). */
    static ReferenceSteps adagrad(double lr, double lrDecay, double init, double eps) {
        return new ReferenceSteps() {
            double[] r;

            @Override
            void step(double[] p, double[] g) {
                if (r == null) {
                    r = new double[p.length];
                    java.util.Arrays.fill(r, init);
                }
                t++;
                double clr = lr / (1 + (t - 1) * lrDecay);
                for (int i = 0; i < p.length; i++) {
                    r[i] += g[i] * g[i];
                    p[i] -= clr * g[i] / (eps + Math.sqrt(r[i]));
                }
            }
        };
    }

    /** RMSProp (seeds 001/004; PyTorch's centered and momentum options). */
    static ReferenceSteps rmsprop(double lr, double rho, double eps, double mu, boolean centered, boolean inside) {
        return new ReferenceSteps() {
            double[] v;
            double[] mean;
            double[] b;

            @Override
            void step(double[] p, double[] g) {
                if (v == null) {
                    v = zeros(p.length);
                    mean = zeros(p.length);
                    b = zeros(p.length);
                }
                for (int i = 0; i < p.length; i++) {
                    v[i] = rho * v[i] + (1 - rho) * g[i] * g[i];
                    double w = v[i];
                    if (centered) {
                        mean[i] = rho * mean[i] + (1 - rho) * g[i];
                        w -= mean[i] * mean[i];
                    }
                    double denom = inside ? Math.sqrt(w + eps) : Math.sqrt(w) + eps;
                    if (mu > 0) {
                        b[i] = mu * b[i] + g[i] / denom;
                        p[i] -= lr * b[i];
                    } else {
                        p[i] -= lr * g[i] / denom;
                    }
                }
            }
        };
    }

    static ReferenceSteps adadelta(double lr, double rho, double eps) {
        return new ReferenceSteps() {
            double[] v;
            double[] u;

            @Override
            void step(double[] p, double[] g) {
                if (v == null) {
                    v = zeros(p.length);
                    u = zeros(p.length);
                }
                for (int i = 0; i < p.length; i++) {
                    v[i] = rho * v[i] + (1 - rho) * g[i] * g[i];
                    double delta = Math.sqrt(u[i] + eps) / Math.sqrt(v[i] + eps) * g[i];
                    u[i] = rho * u[i] + (1 - rho) * delta * delta;
                    p[i] -= lr * delta;
                }
            }
        };
    }

    static ReferenceSteps adamax(double lr, double b1, double b2, double eps) {
        return new ReferenceSteps() {
            double[] m;
            double[] u;

            @Override
            void step(double[] p, double[] g) {
                if (m == null) {
                    m = zeros(p.length);
                    u = zeros(p.length);
                }
                t++;
                for (int i = 0; i < p.length; i++) {
                    m[i] = b1 * m[i] + (1 - b1) * g[i];
                    u[i] = Math.max(b2 * u[i], Math.abs(g[i]) + eps);
                    p[i] -= lr / (1 - Math.pow(b1, t)) * m[i] / u[i];
                }
            }
        };
    }

    static ReferenceSteps nadam(double lr, double b1, double b2, double eps, double psi) {
        return new ReferenceSteps() {
            double[] m;
            double[] v;
            double prod = 1;

            @Override
            void step(double[] p, double[] g) {
                if (m == null) {
                    m = zeros(p.length);
                    v = zeros(p.length);
                }
                t++;
                double mu = b1 * (1 - 0.5 * Math.pow(0.96, t * psi));
                double mu1 = b1 * (1 - 0.5 * Math.pow(0.96, (t + 1) * psi));
                prod *= mu;
                for (int i = 0; i < p.length; i++) {
                    m[i] = b1 * m[i] + (1 - b1) * g[i];
                    v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
                    double d = Math.sqrt(v[i] / (1 - Math.pow(b2, t))) + eps;
                    p[i] -= lr * (1 - mu) / (1 - prod) * g[i] / d + lr * mu1 / (1 - prod * mu1) * m[i] / d;
                }
            }
        };
    }

    static ReferenceSteps radam(double lr, double b1, double b2, double eps) {
        return new ReferenceSteps() {
            double[] m;
            double[] v;

            @Override
            void step(double[] p, double[] g) {
                if (m == null) {
                    m = zeros(p.length);
                    v = zeros(p.length);
                }
                t++;
                double rhoInf = 2 / (1 - b2) - 1;
                double rhoT = rhoInf - 2 * t * Math.pow(b2, t) / (1 - Math.pow(b2, t));
                for (int i = 0; i < p.length; i++) {
                    m[i] = b1 * m[i] + (1 - b1) * g[i];
                    v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
                    double mHat = m[i] / (1 - Math.pow(b1, t));
                    if (rhoT > 5) {
                        double r = Math.sqrt((rhoT - 4) * (rhoT - 2) * rhoInf / ((rhoInf - 4) * (rhoInf - 2) * rhoT));
                        double vHatRoot = Math.sqrt(v[i] / (1 - Math.pow(b2, t)));
                        // √(1 − β2^t)/(√v + ε) written with v̂: equal up to where ε sits, as PyTorch.
                        double adaptive = Math.sqrt(1 - Math.pow(b2, t)) / (Math.sqrt(v[i]) + eps);
                        assert vHatRoot >= 0;
                        p[i] -= lr * mHat * r * adaptive;
                    } else {
                        p[i] -= lr * mHat;
                    }
                }
            }
        };
    }

    static ReferenceSteps yogi(double lr, double b1, double b2, double eps, double init) {
        return new ReferenceSteps() {
            double[] m;
            double[] v;

            @Override
            void step(double[] p, double[] g) {
                if (m == null) {
                    m = new double[p.length];
                    v = new double[p.length];
                    java.util.Arrays.fill(m, init);
                    java.util.Arrays.fill(v, init);
                }
                for (int i = 0; i < p.length; i++) {
                    m[i] = b1 * m[i] + (1 - b1) * g[i];
                    double g2 = g[i] * g[i];
                    v[i] = v[i] - (1 - b2) * Math.signum(v[i] - g2) * g2;
                    p[i] -= lr * m[i] / (Math.sqrt(v[i]) + eps);
                }
            }
        };
    }

    static ReferenceSteps lion(double lr, double b1, double b2, double wd) {
        return new ReferenceSteps() {
            double[] m;

            @Override
            void step(double[] p, double[] g) {
                if (m == null) {
                    m = zeros(p.length);
                }
                for (int i = 0; i < p.length; i++) {
                    p[i] *= 1 - lr * wd;
                    p[i] -= lr * Math.signum(b1 * m[i] + (1 - b1) * g[i]);
                    m[i] = b2 * m[i] + (1 - b2) * g[i];
                }
            }
        };
    }

    /** Seed 003 eq. 6.14: θ −= α·g/(√(g²) + ε). */
    static ReferenceSteps signDescent(double lr, double eps) {
        return new ReferenceSteps() {
            @Override
            void step(double[] p, double[] g) {
                for (int i = 0; i < p.length; i++) {
                    p[i] -= lr * (eps == 0 ? Math.signum(g[i]) : g[i] / (Math.sqrt(g[i] * g[i]) + eps));
                }
            }
        };
    }
}
