/** Port: how far the scheduled co-sell reconciliation has come (DynamoDB in AWS and locally). */
export interface CoSellReconciliationWatermarkStore {
  /** The start (ISO 8601) of the last run that succeeded; undefined before the first. */
  load(): Promise<string | undefined>;
  save(watermark: string): Promise<void>;
}
