/** The CLI as a library: run a command line in-process (tests, devstack) with injected deps. */
export { run, buildProgram, type CliDeps } from './program';
export { loadSettings, type CliSettings } from './config';
export { CliError, type CliErrorCode } from './errors';
