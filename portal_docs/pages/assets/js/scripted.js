/*
 * Marks the page as scripted before it is painted (loaded in the head, not deferred), so hints
 * meant for browsers without JavaScript (.pf-nojs-only) never flash. An external file rather than
 * an inline script: the portal's Content-Security-Policy allows no inline script of its own.
 */
document.documentElement.classList.add("pf-js");
