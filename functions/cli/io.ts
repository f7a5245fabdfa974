/** What a command may touch of the outside world, so tests run commands in-process and read their output. */
export interface CliIo {
  stdout(line: string): void;
  stderr(line: string): void;
  readonly cwd: string;
}

export const processIo: CliIo = {
  stdout: (line) => process.stdout.write(`${line}\n`),
  stderr: (line) => process.stderr.write(`${line}\n`),
  cwd: process.cwd(),
};

/** A command's exit codes: 0 done, 1 the input failed a check, 2 the command could not run as asked. */
export const ExitCode = { ok: 0, failed: 1, usage: 2 } as const;

export type Command = (args: string[], io: CliIo) => Promise<number>;
