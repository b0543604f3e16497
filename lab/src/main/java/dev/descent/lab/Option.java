package dev.descent.lab;

/**
 * One parameter of an experiment: its key (given on the command line as {@code --key value}),
 * its default (the text's value, as a string) and what it sets.
 */
public record Option(String key, String defaultValue, String description) {
}
