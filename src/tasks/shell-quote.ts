/** One word for a POSIX shell, as Python's shlex.quote gives it: as is when only safe characters, else in single quotes. */
export function shellQuote(word: string): string {
  if (word === '') return "''";
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'"'"'`)}'`;
}
