import { randomUUID } from 'node:crypto';
import { conflict, notFound } from './errors.ts';
import type { FormStoreSnapshot } from './snapshot.ts';

export interface FormDefinition {
  guid: string;
  name: string;
  fields: { name: string; label: string; required: boolean; fieldType: string }[];
  createdAt: number;
  updatedAt: number;
}

export interface FormSubmission {
  conversionId: string;
  submittedAt: number;
  values: { name: string; value: string }[];
  pageUrl: string;
  /** Arrival order, to break ties between equal `submittedAt`. */
  sequence: number;
}

/** Form definitions and their submissions, kept in (submittedAt, arrival) order. */
export class FormStore {
  readonly definitions = new Map<string, FormDefinition>();
  /** Per form, ascending by (submittedAt, sequence). */
  readonly submissions = new Map<string, FormSubmission[]>();
  private readonly conversionIds = new Set<string>();
  private submissionSequence = 0;
  private readonly now: () => number;

  constructor(now: () => number) {
    this.now = now;
  }

  reset(): void {
    this.definitions.clear();
    this.submissions.clear();
    this.conversionIds.clear();
  }

  /** The forms and their submissions, for saving. */
  snapshot(): FormStoreSnapshot {
    return {
      definitions: [...this.definitions.values()].map((form) => ({
        ...form,
        fields: form.fields.map((field) => ({ ...field })),
      })),
      submissions: Object.fromEntries(
        [...this.submissions].map(([guid, list]) => [guid, list.map((submission) => ({ ...submission }))]),
      ),
      nextSequence: this.submissionSequence,
    };
  }

  /** Replaces every form and submission with a saved snapshot. */
  restore(snapshot: FormStoreSnapshot): void {
    this.reset();
    for (const form of snapshot.definitions) this.definitions.set(form.guid, { ...form });
    for (const [guid, list] of Object.entries(snapshot.submissions)) {
      // Kept in (submittedAt, arrival) order, as `addSubmission` keeps them.
      const ordered = [...list].sort((a, b) => a.submittedAt - b.submittedAt || a.sequence - b.sequence);
      this.submissions.set(guid, ordered);
      for (const submission of ordered) this.conversionIds.add(submission.conversionId);
    }
    this.submissionSequence = snapshot.nextSequence;
  }

  /** Adds (or replaces) a form definition. */
  add(input: {
    guid: string;
    name: string;
    fields: {
      name: string;
      label?: string | undefined;
      required?: boolean | undefined;
      fieldType?: string | undefined;
    }[];
  }): FormDefinition {
    const at = this.now();
    const form: FormDefinition = {
      guid: input.guid,
      name: input.name,
      fields: input.fields.map((field) => ({
        name: field.name,
        label: field.label ?? field.name,
        required: field.required ?? false,
        fieldType: field.fieldType ?? 'single_line_text',
      })),
      createdAt: at,
      updatedAt: at,
    };
    this.definitions.set(form.guid, form);
    if (!this.submissions.has(form.guid)) this.submissions.set(form.guid, []);
    return form;
  }

  /** Stores a submission in (submittedAt, arrival) order. */
  addSubmission(
    formGuid: string,
    input: {
      conversionId?: string | undefined;
      submittedAt: number;
      values: { name: string; value: string }[];
      pageUrl?: string | undefined;
    },
  ): FormSubmission {
    const list = this.submissions.get(formGuid);
    if (list === undefined) throw notFound(`Form ${formGuid} not found`);
    const conversionId = input.conversionId ?? randomUUID();
    if (this.conversionIds.has(conversionId)) throw conflict(`Submission ${conversionId} already exists`);
    const submission: FormSubmission = {
      conversionId,
      submittedAt: input.submittedAt,
      values: input.values,
      pageUrl: input.pageUrl ?? '',
      sequence: this.submissionSequence++,
    };
    const last = list.at(-1);
    if (last === undefined || last.submittedAt <= submission.submittedAt) list.push(submission);
    else {
      let low = 0;
      let high = list.length;
      while (low < high) {
        const mid = (low + high) >> 1;
        if ((list[mid]?.submittedAt ?? 0) <= submission.submittedAt) low = mid + 1;
        else high = mid;
      }
      list.splice(low, 0, submission);
    }
    this.conversionIds.add(conversionId);
    return submission;
  }
}
