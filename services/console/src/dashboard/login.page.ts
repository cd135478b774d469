import { esc, layout } from './html.ts';
import { LANGUAGE_LINKS, otherLanguages, STRINGS, type UiLanguage } from './i18n.ts';

/** `next`: the dashboard address asked for before signing in (a path of this server), gone back to after. */
export function loginPage(lang: UiLanguage, failed: boolean, next = ''): string {
  const t = STRINGS[lang];
  // The page asked for goes along (a dashboard probe: switching the language lost the bookmark), in
  // the language chosen here.
  const nextIn = (l: UiLanguage) => {
    if (!next) return '';
    const url = new URL(next, 'http://kaiku.invalid');
    url.searchParams.set('lang', l);
    return `&amp;next=${esc(encodeURIComponent(url.pathname + url.search))}`;
  };
  const nextParam = next ? `&amp;next=${esc(encodeURIComponent(next))}` : '';
  const links = otherLanguages(lang)
    .map((l) => `<a href="/login?lang=${l}${nextIn(l)}" lang="${l}">${esc(LANGUAGE_LINKS[l])}</a>`)
    .join(' ');
  return layout({
    lang,
    title: `${t.login} – ${t.title}`,
    skip: t.skip,
    header: `<p class="brand">Kaiku</p><nav aria-label="${esc(t.language)}">${links}</nav>`,
    body: `<h1>${esc(t.loginHeading)}</h1>
${failed ? `<p class="error" role="alert" id="login-error">${esc(t.loginFailed)}</p>` : ''}
<form method="post" action="/login?lang=${lang}${nextParam}" class="login">
  <label for="token">${esc(t.token)}</label>
  <input id="token" name="token" type="password" autocomplete="current-password" required${failed ? ' aria-invalid="true" aria-describedby="login-error"' : ''}>
  <button type="submit">${esc(t.login)}</button>
</form>`,
  });
}
