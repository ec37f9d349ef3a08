/** A word for a POSIX shell command line that the shell reads back as `text` exactly (Python's shlex.quote). */
export function shellQuote(text: string): string {
  if (text === '') return "''";
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replaceAll("'", `'"'"'`)}'`;
}
