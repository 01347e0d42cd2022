// `formica campaign reveal <campaign_id>`: reveals a campaign now (or finishes a reveal a crash
// interrupted) and shows the payout's progress, batch by batch, then the result.
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { createFormica } from '../../app.ts';
import { PLATFORM_CURRENCY } from '../../modules/books/platform-currency.ts';
import type { RevealSummary } from '../../modules/campaign/campaign.ts';
import { formatMinor } from '../../money/amount.ts';
import { runtimeConfig } from '../config.ts';
import type { OpenFormica } from './reconcile.ts';

const openFromConfig: OpenFormica = async (dataDir) => {
  const config = runtimeConfig({ dataDir });
  const app = await createFormica({ dataDir: config.dataDir, databaseUrl: config.databaseUrl, runJobs: false });
  return { app, close: () => app.close() };
};

export interface RevealOutput {
  log(line: string): void;
  progress(summary: RevealSummary): void;
  stop(): void;
}

export function registerCampaign(program: Command, open: OpenFormica = openFromConfig, output: () => RevealOutput = consoleOutput): void {
  const campaign = program.command('campaign').description('the collect-five-cards campaign');
  campaign
    .command('reveal <campaign_id>')
    .description('split the prize pool among complete sets and pay them now, or finish an interrupted reveal')
    .option('--data-dir <dir>', 'data directory (env FORMICA_DATA_DIR, default ./data)')
    .action(async (campaignId: string, flags: { dataDir?: string }) => {
      const out = output();
      const { app, close } = await open(flags.dataDir);
      try {
        const result = await app.campaigns.reveal(campaignId, { progress: (s) => out.progress(s) });
        out.stop();
        const cny = (minor: bigint) => formatMinor(minor, PLATFORM_CURRENCY);
        out.log(
          `${campaignId}: ${result.status}, ${result.winners} winners, paid ${cny(result.paidMinor)} ${PLATFORM_CURRENCY.code}, remainder ${cny(result.remainderMinor)}`,
        );
      } finally {
        out.stop();
        await close();
      }
    });
}

/** A bar on a terminal; a line per batch otherwise (logs, CI). */
function consoleOutput(): RevealOutput {
  const bar = process.stderr.isTTY ? new cliProgress.SingleBar({ format: 'paying winners [{bar}] {value}/{total}' }, cliProgress.Presets.shades_classic) : null;
  let started = false;
  return {
    log: (line) => console.log(line),
    progress(s) {
      if (!bar) return void process.stderr.write(`paid ${s.paidWinners}/${s.winners} winners\n`);
      if (!started) bar.start(s.winners, 0);
      started = true;
      bar.update(s.paidWinners);
    },
    stop: () => bar?.stop(),
  };
}
