/** What a deal in a stage has come to. */
export type StageOutcome = 'won' | 'lost' | 'open';

/** A deal stage as the portal's pipelines describe it ("CRM API | Pipelines", stage `metadata`). */
export interface StageMetadata {
  readonly id: string;
  readonly isClosed: boolean;
  /** Win probability 0..1 as configured, or null when HubSpot gives none. */
  readonly probability: number | null;
}

/**
 * The outcome of a deal in the stage. A closed stage of probability 1.0 is closed-won, any other
 * closed stage closed-lost (HubSpot's deal stages: probability 0.0 is Closed Lost and 1.0 Closed
 * Won, "CRM API | Pipelines"; the same rule decides a registration's protection at close).
 */
export function outcomeOfStage(stage: StageMetadata): StageOutcome {
  if (!stage.isClosed) return 'open';
  return stage.probability === 1 ? 'won' : 'lost';
}

/**
 * The outcome of every stage of every pipeline, by stage id. HubSpot's stage ids are unique in the
 * portal across an object's pipelines, and a deal-stage change names the stage only, so a stage id
 * alone says where the deal went, whichever pipeline it was in before.
 */
export function stageOutcomes(
  pipelines: readonly { readonly stages: readonly StageMetadata[] }[],
): ReadonlyMap<string, StageOutcome> {
  const outcomes = new Map<string, StageOutcome>();
  for (const pipeline of pipelines) {
    for (const stage of pipeline.stages) outcomes.set(stage.id, outcomeOfStage(stage));
  }
  return outcomes;
}
