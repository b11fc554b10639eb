/** What a command writes to and reads from; tests pass buffers instead of the process streams. */
export interface CliIo {
  stdout: { write(text: string): unknown; isTTY?: boolean };
  stderr: { write(text: string): unknown; isTTY?: boolean };
  stdin: NodeJS.ReadableStream;
  env: Record<string, string | undefined>;
  cwd: string;
}

export function processIo(): CliIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    cwd: process.cwd(),
  };
}

/** An IO that captures output, for in-process CLI tests. */
export function memoryIo(env: Record<string, string | undefined> = {}, cwd = process.cwd()) {
  const out: string[] = [];
  const errOut: string[] = [];
  const io: CliIo = {
    stdout: { write: (s: string) => out.push(s), isTTY: false },
    stderr: { write: (s: string) => errOut.push(s), isTTY: false },
    stdin: process.stdin,
    env,
    cwd,
  };
  return { io, stdout: () => out.join(''), stderr: () => errOut.join('') };
}
