import { promises as fsp, statSync, watch, type FSWatcher } from 'node:fs';
import type { Logger } from 'pino';
import { isRuleFileName, loadRuleSet } from './rules/load';
import type { RuleSet } from './rules/types';
import type { GatewayMetrics } from './observe/metrics';

export type ReloadResult =
  | { readonly ok: true; readonly changed: boolean; readonly hash: string; readonly rules: number }
  | { readonly ok: false; readonly errors: readonly string[] };

export interface RulesWatcherOptions {
  /** Quiet time after the last change before the directory is read. */
  readonly debounceMs?: number;
  /** A directory that keeps changing is still read at least this often. */
  readonly maxWaitMs?: number;
}

/**
 * Watches the rules directory (not single files: editors rename over files, Kubernetes
 * swaps a ConfigMap's `..data` symlink), debounces, validates the whole new set and swaps
 * it in with one assignment. An invalid set is refused with the located errors `check`
 * prints, and the last good set stays in force. Reloads never overlap; a reload asked for
 * while one runs is run once more afterwards, so the final state of the directory is
 * always the one read last.
 */
export class RulesWatcher {
  private watcher?: FSWatcher;
  private watchedIno?: number;
  private watching = false;
  private closed = false;
  private timer?: NodeJS.Timeout;
  private firstEventAt?: number;
  private running: Promise<unknown> = Promise.resolve();
  private queued?: Promise<ReloadResult>;
  private readonly debounceMs: number;
  private readonly maxWaitMs: number;
  /** The refused set's errors, one per line, until a reload succeeds. */
  lastError?: string;

  constructor(
    private readonly dir: string,
    private readonly logger: Logger,
    private readonly metrics: GatewayMetrics,
    private readonly active: () => RuleSet,
    private readonly apply: (ruleSet: RuleSet) => void,
    options: RulesWatcherOptions = {},
  ) {
    this.debounceMs = options.debounceMs ?? 200;
    this.maxWaitMs = Math.max(this.debounceMs, options.maxWaitMs ?? 2000);
  }

  /** Starts watching the directory (armed on return); SIGHUP-style reloads work whether or not this is called. */
  watch(): void {
    this.watching = true;
    this.arm();
  }

  /** (Re)arms the watch when the directory is not watched yet or was replaced (another inode). */
  private arm(): void {
    if (!this.watching || this.closed) return;
    let ino: number;
    try {
      ino = statSync(this.dir).ino;
    } catch (err) {
      this.logger.warn({ err: (err as Error).message, dir: this.dir }, 'cannot watch the rules directory; a SIGHUP reloads it (and watches it again)');
      return;
    }
    if (this.watcher && this.watchedIno === ino) return;
    this.watcher?.close();
    this.watcher = undefined;
    if (this.closed) return;
    try {
      const watcher = watch(this.dir, { persistent: false }, (_event, name) => this.onEvent(name));
      watcher.on('error', (err) => {
        this.logger.error({ err: err.message, dir: this.dir }, 'rules directory watch failed; a SIGHUP reloads it (and watches it again)');
        watcher.close();
        if (this.watcher === watcher) this.watcher = undefined;
      });
      this.watcher = watcher;
      this.watchedIno = ino;
    } catch (err) {
      this.logger.warn({ err: (err as Error).message, dir: this.dir }, 'cannot watch the rules directory; a SIGHUP reloads it (and watches it again)');
    }
  }

  /**
   * Rule files, and Kubernetes' `..data` / `..<timestamp>` entries, trigger a reload; editor
   * droppings (`.a.yaml.swp`, `a.yaml~`, `4913`) do not. An event without a name (the
   * platform did not say) always does.
   */
  private onEvent(name: string | Buffer | null): void {
    const file = name === null ? undefined : name.toString();
    if (file !== undefined && !isRuleFileName(file) && !file.startsWith('..')) return;
    this.schedule();
  }

  private schedule(): void {
    if (this.closed) return;
    const now = Date.now();
    this.firstEventAt ??= now;
    const delay = Math.max(0, Math.min(this.debounceMs, this.firstEventAt + this.maxWaitMs - now));
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.firstEventAt = undefined;
      void this.reload('watch');
    }, delay);
    this.timer.unref();
  }

  /**
   * Reads, validates and swaps in the directory's rule set. Serialised: a reload asked for
   * while another runs waits for it, and callers asking before it starts share it.
   */
  reload(reason: string): Promise<ReloadResult> {
    if (this.queued) return this.queued;
    const next = this.running.then(() => {
      this.queued = undefined;
      return this.reloadNow(reason);
    });
    this.queued = next;
    this.running = next.catch(() => undefined);
    return next;
  }

  private async reloadNow(reason: string): Promise<ReloadResult> {
    const started = performance.now();
    const previous = this.active().hash;
    let result: ReloadResult;
    try {
      result = await this.readAndSwap(previous);
    } catch (err) {
      result = { ok: false, errors: [`${this.dir}: unexpected error while reloading: ${(err as Error).message}`] };
    }
    const durationMs = Math.round((performance.now() - started) * 1000) / 1000;
    if (result.ok) {
      this.lastError = undefined;
      this.metrics.ruleReloads.inc({ result: 'success' });
      this.metrics.lastReloadSuccess.set(Date.now() / 1000);
      this.logger.info(
        { reason, dir: this.dir, result: 'success', changed: result.changed, hash: result.hash, previousHash: previous, rules: result.rules, durationMs },
        result.changed ? 'rules reloaded' : 'rules reloaded: unchanged',
      );
    } else {
      this.lastError = result.errors.join('\n');
      this.metrics.ruleReloads.inc({ result: 'failure' });
      this.logger.error(
        { reason, dir: this.dir, result: 'failure', errors: result.errors, activeHash: previous, durationMs },
        'rule reload refused; the last good rule set stays in force',
      );
    }
    if (this.watching) this.arm();
    return result;
  }

  private async readAndSwap(previousHash: string): Promise<ReloadResult> {
    // At start a missing directory means "no rules"; once running it is far likelier a
    // mistake (an unmounted volume) than a wish to drop every rule.
    try {
      if (!(await fsp.stat(this.dir)).isDirectory()) return { ok: false, errors: [`${this.dir}:1:1: not a directory`] };
    } catch (err) {
      return { ok: false, errors: [`${this.dir}:1:1: cannot read rule directory: ${(err as Error).message}`] };
    }
    const loaded = await loadRuleSet(this.dir);
    if (!loaded.ok) return { ok: false, errors: loaded.errors.map((e) => e.text) };
    for (const w of loaded.warnings) this.logger.warn({ dir: this.dir }, w);
    const { ruleSet } = loaded;
    const changed = ruleSet.hash !== previousHash;
    if (changed && !this.closed) this.apply(ruleSet);
    return { ok: true, changed, hash: ruleSet.hash, rules: ruleSet.rules.length };
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    this.watcher?.close();
    this.watcher = undefined;
  }
}
