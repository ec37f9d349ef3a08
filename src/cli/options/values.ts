/**
 * For options that may be given several times (-i a -i b). yargs' `array: true`
 * would be greedy and swallow the command words that follow the option.
 */
export function repeatable(value: string | string[]): string[] {
  return Array.isArray(value) ? value : [value];
}
