/**
 * Optimisers over autograd's {@link dev.descent.autograd.Variable} parameters: the shared
 * {@link dev.descent.optim.Optimizer} shape (parameter groups, explicit per-parameter state,
 * step counter, closure-taking steps, exact save and restore) and the first-order methods of
 * the texts, from gradient descent to Adam and its variants. Schedules, clipping, line search
 * and second-order methods live in the subpackages.
 */
package dev.descent.optim;
