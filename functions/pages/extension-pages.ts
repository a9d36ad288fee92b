import { formatDeadline } from '#domain/business-hours/format-deadline.ts';
import type {
  ExtensionOffer,
  ExtensionRegistration,
  ExtensionRequest,
  ExtensionView,
} from '#domain/extension-requests/extension-offer.ts';
import { formatMoney } from '#domain/money.ts';
import { maxTextLength } from '#domain/signed-links/page-form.ts';
import { formatCalendarDate } from '#emails/email-text.ts';
import { html, type SafeHtml } from '#rendering/html.ts';
import { pageExpiryNote, renderPage, signedFormFields, tableRow } from './page-layout.ts';

/** The partner's extension request pages, in the layout every page an emailed link opens shares. */

function registrationTable(registration: ExtensionRegistration, timeZone: string): SafeHtml {
  const { details } = registration;
  const partner = registration.partnerName
    ? `${registration.partnerName} (${details.partnerDomain})`
    : details.partnerDomain;
  return html`<table>
${tableRow('Partner', partner)}
${tableRow('Customer', `${details.customerCompanyName} (${details.customerDomain})`)}
${tableRow('Estimated amount', formatMoney(details.estimatedAmount))}
${tableRow('Expected close date', formatCalendarDate(details.expectedCloseDate))}
${tableRow('Products', details.products.join(', '))}
${tableRow('Registration expires', registration.expiresAt && formatDeadline(new Date(registration.expiresAt), timeZone))}
${tableRow('Reference', registration.registrationId)}
</table>`;
}

/** The confirmation page: the registration, until when to ask, a reason field and one button. */
function renderExtensionRequestPage(
  registration: ExtensionRegistration & { offer: ExtensionOffer },
  token: string,
  nonce: string,
  timeZone: string,
): string {
  const action = 'extension';
  return renderPage(
    `Extend your registration: ${registration.details.customerCompanyName}`,
    html`<p>Your registration of this deal expires soon. You may ask once for an extension; an approver decides on it. Nothing is requested until you press the button below.</p>
<div class="deadline" id="offer"><strong>Ask by ${formatDeadline(new Date(registration.offer.expiresAt), timeZone)}</strong>.</div>
<h2>Registration</h2>
${registrationTable(registration, timeZone)}
<h2>Your request</h2>
<form method="post" action="${action}">${signedFormFields(token, nonce)}
<label for="reason">What has moved since you registered, and why the deal needs more time (required)</label><textarea id="reason" name="reason" maxlength="${maxTextLength}" required></textarea>
<button type="submit" id="request-extension">Request the extension</button></form>
${pageExpiryNote()}`,
  );
}

/** The page an extension link opens: the open offer's form, or the request already made. */
export function renderExtensionView(view: ExtensionView, timeZone: string): string {
  return view.state === 'open'
    ? renderExtensionRequestPage(view.registration, view.token, view.nonce, timeZone)
    : renderExtensionRequestedPage(view.registration, view.request, false, timeZone);
}

/** After the request was recorded, and for the link opened again after it. */
export function renderExtensionRequestedPage(
  registration: ExtensionRegistration,
  request: ExtensionRequest,
  justNow: boolean,
  timeZone: string,
): string {
  return renderPage(
    justNow ? 'Thank you — your extension request is recorded' : 'The extension was already requested',
    html`<p class="notice" id="request">${request.requestedBy} requested the extension on ${formatDeadline(new Date(request.requestedAt), timeZone)}. An approver decides on it; you will be emailed the outcome.</p>
<h2>Registration</h2>
${registrationTable(registration, timeZone)}`,
  );
}

/**
 * 409: a second request; says when (and by whom) the first one was made. The link is the
 * partner's alone, so the first request is theirs (a reload, a second tab): it stands.
 */
export function renderAlreadyRequestedPage(
  request: { requestedAt: string; requestedBy: string },
  timeZone: string,
): string {
  return renderPage(
    'Already requested',
    html`<p class="notice" id="request">Your request stands, as recorded: ${request.requestedBy} requested the extension on ${formatDeadline(new Date(request.requestedAt), timeZone)}. Sending the form again (a reload, another tab) changed nothing; the one extension of this registration can be asked for once.</p>
<p id="next">An approver decides on it; you will be emailed the outcome.</p>`,
  );
}

/** 410: the offer ran out before the request. */
export function renderOfferExpiredPage(expiredAt: string, timeZone: string): string {
  return renderPage(
    'The extension offer has expired',
    html`<p class="notice" id="expired">Extensions of this registration could be requested until ${formatDeadline(new Date(expiredAt), timeZone)}. Nothing was recorded. If the deal is still active, contact your channel manager.</p>`,
  );
}
