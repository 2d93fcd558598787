import { watch, type FSWatcher } from 'node:fs';
import type { Logger } from 'pino';
import { loadRuleSet } from './rules/load';
import type { RuleSet } from './rules/types';
import type { GatewayMetrics } from './observe/metrics';

export type ReloadResult = { ok: true; hash: string; rules: number } | { ok: false; errors: string[] };

/**
 * Watches the rules directory (not single files: editors rename over files, Kubernetes
 * swaps ConfigMap symlinks), debounces, validates the whole new set and swaps it in one
 * assignment. An invalid set is refused and the last good set stays in force.
 */
export class RulesWatcher {
  private watcher?: FSWatcher;
  private timer?: NodeJS.Timeout;
  private running: Promise<ReloadResult> = Promise.resolve({ ok: true, hash: '', rules: 0 });
  lastError?: string;

  constructor(
    private readonly dir: string,
    private readonly logger: Logger,
    private readonly metrics: GatewayMetrics,
    private readonly apply: (ruleSet: RuleSet) => void,
    private readonly debounceMs = 150,
  ) {}

  watch(): void {
    try {
      this.watcher = watch(this.dir, { persistent: false }, () => this.schedule());
      this.watcher.on('error', (err) => this.logger.error({ err: err.message, dir: this.dir }, 'rules directory watch failed'));
    } catch (err) {
      this.logger.warn({ err: (err as Error).message, dir: this.dir }, 'cannot watch the rules directory; SIGHUP still reloads');
    }
  }

  private schedule(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.reload('watch'), this.debounceMs);
    this.timer.unref();
  }

  /** Reloads serialised: a reload never overlaps another. */
  reload(reason: string): Promise<ReloadResult> {
    this.running = this.running.then(() => this.reloadNow(reason));
    return this.running;
  }

  private async reloadNow(reason: string): Promise<ReloadResult> {
    const loaded = await loadRuleSet(this.dir);
    if (!loaded.ok) {
      const errors = loaded.errors.map((e) => e.text);
      this.lastError = errors.join('\n');
      this.metrics.ruleReloads.inc({ result: 'failure' });
      this.logger.error({ reason, dir: this.dir, errors }, 'rule reload refused; the last good rule set stays in force');
      return { ok: false, errors };
    }
    this.lastError = undefined;
    this.apply(loaded.ruleSet);
    this.metrics.ruleReloads.inc({ result: 'success' });
    this.logger.info({ reason, dir: this.dir, hash: loaded.ruleSet.hash, rules: loaded.ruleSet.rules.length }, 'rules reloaded');
    return { ok: true, hash: loaded.ruleSet.hash, rules: loaded.ruleSet.rules.length };
  }

  close(): void {
    clearTimeout(this.timer);
    this.watcher?.close();
  }
}
