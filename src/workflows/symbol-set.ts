import {
  CancellationScope,
  continueAsNew,
  getExternalWorkflowHandle,
  isCancellation,
  ParentClosePolicy,
  proxyActivities,
  setHandler,
  sleep,
  startChild,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import { activityOptions } from '../reliability/activity-options';
import { DEFAULT_POLICIES } from '../reliability/policies';
import type { CollectorWorkflow } from './collector';
import { updateSignal } from './collector-api';
import { DATA_TYPE, EXCHANGE, SYMBOLS } from './search-attributes';
import { memberWorkflowId, symbolSetStatusQuery, type SymbolSetInput, type SymbolSetMember, type SymbolSetState } from './symbol-set-api';

const MAX_HISTORY_EVENTS = 2_000;

function freshState(): SymbolSetState {
  return { members: [], nextMember: 1, markets: 0, lastReloadTime: null, lastError: null, listed: 0, delisted: 0, runs: 1 };
}

/**
 * Every market a selector takes, collected by CollectorWorkflows of at most `symbolsPerCollector` symbols each
 * (so no one workflow holds hundreds of cursors, and the members spread over every worker on the queue).
 * Each `reloadMarketsMs` the exchange's markets are reloaded: a new listing joins a member with room (signalled)
 * or a new member; a delisted or inactive market leaves its member, and a member left with none is cancelled.
 * Members are abandoned-on-close children, so they keep running across this workflow's continue-as-new; a
 * cancellation of the set (collect stop) cancels every member, each ending after its write in flight.
 * A member that is not running when signalled (stopped by hand) is started again under the same id.
 */
export async function SymbolSetWorkflow(input: SymbolSetInput): Promise<void> {
  const state = input.carried ?? freshState();
  setHandler(symbolSetStatusQuery, () => ({
    ...state,
    exchange: input.exchange,
    dataType: input.dataType,
    selector: input.selector,
    symbols: state.members.reduce((n, m) => n + m.symbols.length, 0),
  }));
  const policies = input.collector.policies ?? DEFAULT_POLICIES;
  const { listSymbols } = proxyActivities<Activities>(activityOptions('exchangeFetch', policies));
  const setId = workflowInfo().workflowId;

  const startMember = async (member: SymbolSetMember): Promise<void> => {
    await startChild<typeof CollectorWorkflow>('CollectorWorkflow', {
      workflowId: member.workflowId,
      args: [{ ...input.collector, exchange: input.exchange, dataType: input.dataType, symbols: member.symbols }],
      parentClosePolicy: ParentClosePolicy.ABANDON,
      typedSearchAttributes: [
        { key: EXCHANGE, value: input.exchange },
        { key: DATA_TYPE, value: input.dataType },
        { key: SYMBOLS, value: member.symbols },
      ],
    });
  };
  const updateMember = async (member: SymbolSetMember): Promise<void> => {
    try {
      await getExternalWorkflowHandle(member.workflowId).signal(updateSignal, { symbols: member.symbols });
    } catch (err) {
      if (isCancellation(err)) throw err;
      await startMember(member); // not running (stopped by hand): start it again with its symbols
    }
  };

  const follow = async (symbols: readonly string[]): Promise<void> => {
    const wanted = new Set(symbols);
    const held = new Set(state.members.flatMap((m) => m.symbols));
    // members whose symbols changed get one update each, new members a start, once every change is known
    const changed = new Set<SymbolSetMember>();
    const created = new Set<SymbolSetMember>();
    for (const member of [...state.members]) {
      const kept = member.symbols.filter((s) => wanted.has(s));
      if (kept.length === member.symbols.length) continue;
      state.delisted += member.symbols.length - kept.length;
      member.symbols = kept;
      if (kept.length > 0) changed.add(member);
      else {
        state.members = state.members.filter((m) => m !== member);
        await getExternalWorkflowHandle(member.workflowId).cancel().catch(() => undefined);
      }
    }
    const fresh = symbols.filter((s) => !held.has(s));
    state.listed += state.lastReloadTime === null ? 0 : fresh.length;
    for (const symbol of fresh) {
      let member = state.members.find((m) => m.symbols.length < input.symbolsPerCollector);
      if (!member) {
        member = { workflowId: memberWorkflowId(setId, state.nextMember++), symbols: [] };
        state.members.push(member);
        created.add(member);
      }
      member.symbols.push(symbol);
      if (!created.has(member)) changed.add(member);
    }
    for (const member of created) await startMember(member);
    for (const member of changed) await updateMember(member);
  };

  try {
    upsertSearchAttributes([
      { key: EXCHANGE, value: input.exchange },
      { key: DATA_TYPE, value: input.dataType },
      { key: SYMBOLS, value: [input.selector] },
    ]);
    for (;;) {
      try {
        const listed = await listSymbols({ exchange: input.exchange, dataType: input.dataType, selector: input.selector });
        await follow(listed.symbols);
        state.markets = listed.markets;
        state.lastReloadTime = Date.now();
        state.lastError = null;
      } catch (err) {
        if (isCancellation(err)) throw err;
        state.lastError = (err as Error).message;
      }
      const info = workflowInfo();
      if (info.continueAsNewSuggested || info.historyLength > (input.maxHistoryEvents ?? MAX_HISTORY_EVENTS)) {
        await continueAsNew<typeof SymbolSetWorkflow>({ ...input, carried: { ...state, runs: state.runs + 1 } });
      }
      await sleep(input.reloadMarketsMs);
    }
  } catch (err) {
    if (!isCancellation(err)) throw err;
    // stopped: every member is asked to stop (each finishes its write in flight)
    await CancellationScope.nonCancellable(() => Promise.all(state.members.map((m) => getExternalWorkflowHandle(m.workflowId).cancel().catch(() => undefined))));
    throw err;
  }
}
