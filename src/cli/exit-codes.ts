/** Exit codes as pssh documents them; users script against these. */
export const EXIT_OK = 0;
export const EXIT_OTHER = 1;
export const EXIT_USAGE = 2;
export const EXIT_KILLED_OR_TIMEOUT = 3;
export const EXIT_SSH_ERROR = 4;
export const EXIT_REMOTE_NONZERO = 5;
