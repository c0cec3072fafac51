// The workflow bundle's entry: every workflow type the workers register.
export { CollectorWorkflow } from './collector';
export { RedundantWriteWorkflow } from './redundant-write';
export { ReplicaRepairWorkflow } from './replica-repair';
export { BackupWorkflow } from './backup';
export { RestoreWorkflow } from './restore';
export { RetentionWorkflow } from './retention';
export { SymbolSetWorkflow } from './symbol-set';
export { BackfillWorkflow } from './backfill';
export { BackfillChunkWorkflow } from './backfill-chunk';
