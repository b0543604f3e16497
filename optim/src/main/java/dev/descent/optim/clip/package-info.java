/** Gradient clipping by global norm and by value, returning the norm for monitoring. */
package dev.descent.optim.clip;
