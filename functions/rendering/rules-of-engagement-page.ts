import type { LoadedPolicy } from '#domain/policy/load-policy.ts';
import { rulesOfEngagement } from '#domain/policy/rules-of-engagement.ts';
import { renderDocumentHtmlPage } from './document-html-page.ts';
import { renderDocumentMarkdown } from './document-markdown.ts';

export type RulesFormat = 'markdown' | 'html';

/** The rules-of-engagement page as Markdown or a standalone HTML page. */
export function renderRulesOfEngagement(loaded: LoadedPolicy, format: RulesFormat): string {
  const blocks = rulesOfEngagement(loaded);
  return format === 'html'
    ? renderDocumentHtmlPage(
        blocks,
        `${loaded.policy.programName}: rules of engagement (${loaded.policyVersion})`,
      )
    : renderDocumentMarkdown(blocks);
}
