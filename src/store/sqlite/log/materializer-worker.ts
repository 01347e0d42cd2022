// The materializing worker thread's program (started by materializer.ts). It holds the state
// file's only writing connection in this process and a read connection to the commit file; told
// how far the log is durable, it materializes up to there and answers each new watermark.
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { openStateDatabase } from './state-file.ts';
import { StateWriter } from './state-writer.ts';

export type MaterializerRequest = { readonly through: number } | 'close';
export type MaterializerReply = { readonly materialized: number } | { readonly error: string };

const { commitFile, stateFile } = workerData as { commitFile: string; stateFile: string };
const port = parentPort;
if (!port) throw new Error('materializer-worker.ts runs as a worker thread');

const state = openStateDatabase(stateFile, 'writer');
const commit = new Database(commitFile, { readonly: true, fileMustExist: true });
commit.defaultSafeIntegers(true);
commit.pragma('busy_timeout = 5000');
const writer = new StateWriter(state, commit);
const reply = (message: MaterializerReply) => port.postMessage(message);

port.on('message', (request: MaterializerRequest) => {
  if (request === 'close') {
    state.close();
    commit.close();
    port.close();
    return;
  }
  try {
    writer.catchUp(request.through, (seq) => reply({ materialized: seq }));
  } catch (error) {
    reply({ error: error instanceof Error ? error.message : String(error) });
  }
});
