/** Learning-rate schedules as functions of the step or epoch, composable, and the schedulers that apply them. */
package dev.descent.optim.schedule;
