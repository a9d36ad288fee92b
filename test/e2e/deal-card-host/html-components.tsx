import type { ReactNode } from 'react';

/**
 * Each ui-extensions component the deal card uses, rendered as plain HTML: the element that
 * carries its meaning (a table as a table, an alert with role="alert"), its `testId` as
 * `data-testid` and its variant as `data-variant`, so a test reads the card as a person would.
 * HubSpot renders these with its own design system; what the card says is the same.
 */

interface Common {
  readonly children?: ReactNode;
  readonly testId?: string;
}

const common = (name: string, props: Common & { variant?: string }) => ({
  'data-component': name,
  ...(props.testId === undefined ? {} : { 'data-testid': props.testId }),
  ...(props.variant === undefined ? {} : { 'data-variant': props.variant }),
});

export const htmlComponents = {
  Alert: (props: Common & { title: string; variant?: string }) => (
    <div role="alert" {...common('Alert', props)}>
      <strong>{props.title}</strong>
      <div>{props.children}</div>
    </div>
  ),
  Divider: () => <hr data-component="Divider" />,
  EmptyState: (props: Common & { title?: string }) => (
    <section {...common('EmptyState', props)}>
      {props.title === undefined ? null : <h3>{props.title}</h3>}
      {props.children}
    </section>
  ),
  Flex: (props: Common & { direction?: 'row' | 'column' }) => (
    <div
      {...common('Flex', props)}
      style={{ display: 'flex', flexDirection: props.direction ?? 'row', gap: '8px', flexWrap: 'wrap' }}
    >
      {props.children}
    </div>
  ),
  Heading: (props: Common) => <h2 {...common('Heading', props)}>{props.children}</h2>,
  LoadingSpinner: (props: Common & { label: string }) => (
    <div role="status" aria-busy="true" {...common('LoadingSpinner', props)}>
      {props.label}
    </div>
  ),
  Table: (props: Common) => (
    <table {...common('Table', props)} style={{ borderCollapse: 'collapse' }}>
      {props.children}
    </table>
  ),
  TableHead: (props: Common) => <thead {...common('TableHead', props)}>{props.children}</thead>,
  TableBody: (props: Common) => <tbody {...common('TableBody', props)}>{props.children}</tbody>,
  TableRow: (props: Common) => <tr {...common('TableRow', props)}>{props.children}</tr>,
  TableHeader: (props: Common) => <th {...common('TableHeader', props)}>{props.children}</th>,
  TableCell: (props: Common) => (
    <td {...common('TableCell', props)} style={{ border: '1px solid #ccc', padding: '4px' }}>
      {props.children}
    </td>
  ),
  Tag: (props: Common & { variant?: string }) => <span {...common('Tag', props)}>{props.children}</span>,
  Text: (props: Common & { variant?: string }) =>
    props.variant === 'microcopy' ? (
      <small {...common('Text', props)}>{props.children}</small>
    ) : (
      <p {...common('Text', props)}>{props.children}</p>
    ),
};
