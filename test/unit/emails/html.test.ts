import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { renderHtmlLayout, renderTextLayout } from '#emails/layout.ts';
import { escapeHtml, html, safeUrl, trustedHtml } from '#rendering/html.ts';
import { unexpectedMarkup } from './html-safety.ts';

const HOSTILE = `<script>alert("x")</script>' onmouseover='alert(1)' "><img src=x onerror=alert(2)>&amp;`;

describe('the html template tag', () => {
  it('escapes every interpolated string, in text and in quoted attributes', () => {
    const fragment = html`<p title="${HOSTILE}">${HOSTILE}</p>`;

    expect(fragment.value).toBe(`<p title="${escapeHtml(HOSTILE)}">${escapeHtml(HOSTILE)}</p>`);
    expect(fragment.value).not.toContain('<script');
    expect(fragment.value).not.toContain('"><img');
    expect(unexpectedMarkup(fragment.value)).toEqual([]);
  });

  it('escapes the five HTML specials and the backtick', () => {
    expect(escapeHtml(`&<>"'\``)).toBe('&amp;&lt;&gt;&quot;&#39;&#96;');
  });

  it('keeps nested html fragments and renders arrays item by item', () => {
    const items = ['a<b', 'c&d'];

    const list = html`<ul>${items.map((item) => html`<li>${item}</li>`)}</ul>`;

    expect(list.value).toBe('<ul><li>a&lt;b</li><li>c&amp;d</li></ul>');
  });

  it('renders null, undefined and false as nothing, numbers as text', () => {
    const rendered = html`${null}|${undefined}|${false}|${0}|${12.5}|${true}`;

    expect(rendered.value).toBe('|||0|12.5|true');
  });

  it('does not trust a plain string that looks like markup', () => {
    const markup: string = html`<b>bold</b>`.value;

    expect(html`${markup}`.value).toBe('&lt;b&gt;bold&lt;/b&gt;');
    expect(html`${trustedHtml(markup)}`.value).toBe('<b>bold</b>');
  });

  it('never lets any string produce a tag or break out of an attribute', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (value) => {
        const rendered = html`<a href="https://example.com/?q=${value}" title="${value}">${value}</a>`.value;
        expect(rendered.match(/</g)).toHaveLength(2);
        expect(rendered.match(/"/g)).toHaveLength(4);
        expect(rendered.match(/'/g)).toBeNull();
      }),
    );
  });
});

describe('safeUrl', () => {
  it('accepts http, https and mailto URLs', () => {
    expect(safeUrl('https://dealreg.example.com/approvals/a1?t=x')).toBe(
      'https://dealreg.example.com/approvals/a1?t=x',
    );
    expect(safeUrl('http://localhost:3000/x')).toBe('http://localhost:3000/x');
    expect(safeUrl('mailto:help@example.com')).toBe('mailto:help@example.com');
  });

  it('refuses script, data and relative URLs', () => {
    expect(safeUrl('javascript:alert(1)')).toBeUndefined();
    expect(safeUrl(' JaVaScRiPt:alert(1)')).toBeUndefined();
    expect(safeUrl('data:text/html,<script>alert(1)</script>')).toBeUndefined();
    expect(safeUrl('/approvals/a1')).toBeUndefined();
  });
});

describe('the shared layout', () => {
  it('is a complete document with the title, preheader, body and footer, values escaped', () => {
    const document = renderHtmlLayout({
      title: 'Deal <1>',
      preheader: 'Preview "text"',
      body: html`<p>${'body & more'}</p>`,
      footer: html`<p>${'small print'}</p>`,
    });

    expect(document.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(document).toContain('<title>Deal &lt;1&gt;</title>');
    expect(document).toContain('Preview &quot;text&quot;');
    expect(document).toContain('<p>body &amp; more</p>');
    expect(document).toContain('<p>small print</p>');
    expect(document).toContain('<!--[if mso]>');
    expect(document).not.toMatch(/<style|<link|<script/i);
    expect(unexpectedMarkup(document)).toEqual([]);
  });

  it('renders the text part with the title underlined, sections apart and the footer after a signature line', () => {
    const text = renderTextLayout({ title: 'Hello', sections: ['one', 'two'], footer: ['bye'] });

    expect(text).toBe('Hello\n=====\n\none\n\ntwo\n\n--\nbye\n');
  });
});
