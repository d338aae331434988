/**
 * One command line (program and arguments, as the program receives them) written in the syntax of
 * each file that starts it. Control characters are refused everywhere: no syntax here carries a
 * line break safely, and no installed path has one.
 */

function refuseControl(args: readonly string[]): void {
  for (const arg of args) {
    // eslint-disable-next-line no-control-regex -- control characters are what is refused
    if (/[\u0000-\u001f\u007f]/.test(arg)) {
      throw new Error(`A command argument has a control character: ${JSON.stringify(arg)}`);
    }
  }
}

/** Desktop Entry spec, "The Exec key": these make an argument need quotes. */
const EXEC_RESERVED = /[\s"'\\><~|&;$*?#()`]/;

/**
 * The value of a desktop entry's Exec key. Per the spec an argument with a reserved character is
 * double-quoted, with `"`, `` ` ``, `$` and `\` backslash-escaped inside; `%` is doubled (field
 * codes); then the string escape rule doubles every backslash again (so a literal `\` in a quoted
 * argument is written `\\\\`). The program's name may not contain `=`.
 */
export function desktopExec(args: readonly string[]): string {
  refuseControl(args);
  const [program] = args;
  if (program === undefined || program.includes('=')) {
    throw new Error(`Not a program a desktop entry can start: ${JSON.stringify(program)}`);
  }
  // GLib looks for the program before undoing `%%`, so finds none: env takes the path instead.
  const command = program.includes('%') ? ['/usr/bin/env', ...args] : args;
  const quoted = command.map((arg) => {
    const literal = arg.replaceAll('%', '%%');
    if (arg !== '' && !EXEC_RESERVED.test(arg)) return literal;
    return `"${literal.replace(/["`$\\]/g, (c) => `\\${c}`)}"`;
  });
  return quoted.join(' ').replaceAll('\\', '\\\\');
}

/** systemd refuses to run a program whose path has a quote or a backslash ("special characters"). */
const SYSTEMD_UNSAFE_PROGRAM = /["'\\]/;

/**
 * An ExecStart= line for systemd (systemd.service(5), "Command lines"): every argument
 * double-quoted with C-style escapes and `%` doubled (specifiers); `$` is doubled in the arguments
 * (no variable is expanded), not in the program, where systemd expands none. A program path
 * systemd refuses is started through /usr/bin/env, which takes any path as an argument.
 */
export function systemdExec(args: readonly string[]): string {
  refuseControl(args);
  const [program, ...rest] = args;
  if (program === undefined || !program.startsWith('/')) {
    throw new Error(`systemd needs an absolute program path, not ${JSON.stringify(program)}`);
  }
  const quote = (arg: string) => `"${arg.replace(/["\\]/g, (c) => `\\${c}`).replaceAll('%', '%%')}"`;
  const quoteArg = (arg: string) => quote(arg).replaceAll('$', '$$$$');
  return SYSTEMD_UNSAFE_PROGRAM.test(program)
    ? ['/usr/bin/env', program, ...rest].map((arg, i) => (i === 0 ? arg : quoteArg(arg))).join(' ')
    : [quote(program), ...rest.map(quoteArg)].join(' ');
}

/**
 * One argument as Windows programs split a command line (CommandLineToArgvW, the C runtime):
 * quoted when it has a space, tab or quote, with backslashes doubled only before a quote.
 */
function windowsArgument(arg: string): string {
  if (arg !== '' && !/[\s"]/.test(arg)) return arg;
  let out = '"';
  let backslashes = 0;
  for (const c of arg) {
    if (c === '\\') {
      backslashes++;
      continue;
    }
    out += '\\'.repeat(c === '"' ? backslashes * 2 + 1 : backslashes) + c;
    backslashes = 0;
  }
  return `${out}${'\\'.repeat(backslashes * 2)}"`;
}

/** The arguments of a Task Scheduler Exec action (the program goes in Command, alone). */
export function windowsArguments(args: readonly string[]): string {
  refuseControl(args);
  return args.map(windowsArgument).join(' ');
}
