import {
  Alert,
  Divider,
  EmptyState,
  Flex,
  Heading,
  hubspot,
  LoadingSpinner,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableHeader,
  TableRow,
  Tag,
  Text,
} from '@hubspot/ui-extensions';
import { useEffect, useState } from 'react';
import {
  badge,
  type DealAttributionCard as Card,
  channelLabel,
  moment,
  partnerLabel,
  relationshipLabel,
  ruleLabel,
  statusLabel,
} from './deal-attribution.ts';

/**
 * The deal record's Partner attribution card: reads the deal's attributions from Dealreg with
 * `hubspot.fetch` (HubSpot signs the request with the app's client secret) and shows who holds
 * the deal, under which relationship and registration, the rule that decided it, the
 * registration's status and SLA, and whether the deal's ledger chain verifies.
 *
 * Dealreg's URL is the deployed API's: `dealreg hubspot project` writes it over the placeholder
 * below (and into the app's `permittedUrls.fetch`). A project profile variable
 * `DEALREG_DEAL_CARD_URL` (the stack output `DealCardUrl`) overrides it.
 */
const dealregApiUrl = 'https://dealreg-api.example.com';

hubspot.extend<'crm.record.tab'>(({ context }) => (
  <DealAttribution
    dealId={String(context.crm.objectId)}
    cardUrl={context.variables?.DEALREG_DEAL_CARD_URL ?? `${dealregApiUrl}/hubspot/deal-card`}
    timeZone={context.portal.timezone}
  />
));

type Loaded =
  | { readonly kind: 'loading' }
  | { readonly kind: 'failed'; readonly message: string }
  | { readonly kind: 'loaded'; readonly card: Card };

async function readCard(cardUrl: string, dealId: string): Promise<Card> {
  const response = await hubspot.fetch(`${cardUrl}?dealId=${encodeURIComponent(dealId)}`, {
    method: 'GET',
    timeout: 15_000,
  });
  const body = (await response.json().catch(() => undefined)) as { message?: string } | Card | undefined;
  if (!response.ok) {
    const message = body !== undefined && 'message' in body ? body.message : undefined;
    throw new Error(message ?? `Dealreg answered ${response.status}`);
  }
  if (body === undefined || !('ledger' in body))
    throw new Error('Dealreg answered something that is not a card');
  return body;
}

export function DealAttribution(props: {
  readonly dealId: string;
  readonly cardUrl: string | number | bigint | boolean | undefined;
  readonly timeZone: string;
}) {
  const { dealId, cardUrl, timeZone } = props;
  const [loaded, setLoaded] = useState<Loaded>({ kind: 'loading' });

  useEffect(() => {
    if (typeof cardUrl !== 'string' || cardUrl === '') return;
    let current = true;
    readCard(cardUrl, dealId).then(
      (card) => current && setLoaded({ kind: 'loaded', card }),
      (error: unknown) =>
        current &&
        setLoaded({ kind: 'failed', message: error instanceof Error ? error.message : String(error) }),
    );
    return () => {
      current = false;
    };
  }, [cardUrl, dealId]);

  if (typeof cardUrl !== 'string' || cardUrl === '') {
    return (
      <Alert title="Dealreg is not configured" variant="warning" testId="not-configured">
        Set the project variable DEALREG_DEAL_CARD_URL to the DealCardUrl output of the Dealreg stack.
      </Alert>
    );
  }
  if (loaded.kind === 'loading') return <LoadingSpinner label="Reading the attribution ledger" showLabel />;
  if (loaded.kind === 'failed') {
    return (
      <Alert title="Dealreg could not be read" variant="error" testId="read-failed">
        {loaded.message}
      </Alert>
    );
  }
  return <Attribution card={loaded.card} timeZone={timeZone} />;
}

function Attribution({ card, timeZone }: { readonly card: Card; readonly timeZone: string }) {
  const shown = badge(card.ledger);
  return (
    <Flex direction="column" gap="sm">
      <Flex direction="row" gap="xs" align="center">
        <Tag variant={shown.variant} testId="ledger-badge">
          {shown.text}
        </Tag>
        <Text variant="microcopy">
          {card.ledger.entries} ledger {card.ledger.entries === 1 ? 'entry' : 'entries'} for deal{' '}
          {card.dealId}
        </Text>
      </Flex>
      {card.ledger.status === 'not-verified' && (
        <Alert title="This deal's ledger chain does not verify" variant="danger" testId="ledger-problem">
          {card.ledger.problem ?? 'The chain does not verify.'} Run dealreg ledger verify for details.
        </Alert>
      )}
      {card.state === 'empty' ? (
        <EmptyState
          title="No partner attribution"
          imageName="deals"
          layout="horizontal"
          testId="no-attribution"
        >
          <Text>The Dealreg ledger names no partner and no registration for this deal.</Text>
        </EmptyState>
      ) : (
        <>
          <Heading>Partners</Heading>
          <Table bordered testId="attributions">
            <TableHead>
              <TableRow>
                <TableHeader>Partner</TableHeader>
                <TableHeader>Relationship</TableHeader>
                <TableHeader>Since</TableHeader>
                <TableHeader>Registration</TableHeader>
                <TableHeader>Decided under rule</TableHeader>
              </TableRow>
            </TableHead>
            <TableBody>
              {card.attributions.map((row) => (
                <TableRow key={`${row.partnerId}-${row.since}-${row.relationshipType}`}>
                  <TableCell>
                    <Text>{partnerLabel(row)}</Text>
                    <Text variant="microcopy">Company {row.partnerId}</Text>
                  </TableCell>
                  <TableCell>
                    <Tag variant={row.current ? 'info' : 'default'}>
                      {relationshipLabel(row.relationshipType)}
                    </Tag>
                    {!row.current && <Text variant="microcopy">ended {moment(row.until, timeZone)}</Text>}
                  </TableCell>
                  <TableCell>{moment(row.since, timeZone)}</TableCell>
                  <TableCell>{row.registrationId ?? '—'}</TableCell>
                  <TableCell>{ruleLabel(row.ruleId)}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
          <Divider />
          <Heading>Registrations</Heading>
          <Table bordered testId="registrations">
            <TableHead>
              <TableRow>
                <TableHeader>Registration</TableHeader>
                <TableHeader>Status</TableHeader>
                <TableHeader>SLA deadline</TableHeader>
                <TableHeader>Decided</TableHeader>
                <TableHeader>Valid until</TableHeader>
              </TableRow>
            </TableHead>
            <TableBody>
              {card.registrations.map((row) => (
                <TableRow key={row.registrationId}>
                  <TableCell>
                    <Text>{row.registrationId}</Text>
                    <Text variant="microcopy">{partnerLabel(row)}</Text>
                  </TableCell>
                  <TableCell>
                    <Tag variant={row.status === 'approved' ? 'success' : 'default'}>
                      {statusLabel(row.status)}
                    </Tag>
                  </TableCell>
                  <TableCell>
                    <Text>{moment(row.slaDeadline, timeZone)}</Text>
                    {row.decidedWithinSla === false && <Tag variant="warning">decided late</Tag>}
                  </TableCell>
                  <TableCell>
                    <Text>{moment(row.decidedAt, timeZone)}</Text>
                    <Text variant="microcopy">{channelLabel(row.decidedThrough)}</Text>
                  </TableCell>
                  <TableCell>{moment(row.expiresAt, timeZone)}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
          {card.registrations.map(
            (row) =>
              row.ruleReason !== null && (
                <Text key={`reason-${row.registrationId}`} variant="microcopy">
                  {row.registrationId} ({ruleLabel(row.ruleId)}): {row.ruleReason}
                </Text>
              ),
          )}
        </>
      )}
    </Flex>
  );
}
