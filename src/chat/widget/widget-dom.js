// Building the widget's elements. Every piece of data becomes a text node or an attribute
// value, never HTML: what a visitor or an agent typed cannot run on the site.

/** An element with attributes and children; strings and numbers become text nodes. */
function h(tag, attrs, ...children) {
  const node = document.createElement(tag)
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue
    if (name === 'class') node.className = value
    else if (name.startsWith('on')) node.addEventListener(name.slice(2), value)
    else node.setAttribute(name, value === true ? '' : String(value))
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue
    node.append(typeof child === 'string' || typeof child === 'number' ? document.createTextNode(String(child)) : child)
  }
  return node
}

/** A link the widget may show: http or https only, so a card cannot carry `javascript:`. */
function safeUrl(url) {
  try {
    const parsed = new URL(String(url))
    return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed.href : null
  } catch {
    // Not a URL at all: the card shows its title and summary without a link.
    return null
  }
}

/** Unique enough to tell our own echoes apart; not a secret. */
function clientId() {
  return `c${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`
}

/** Whole minutes for "about N min", never 0. */
function minutesOf(seconds) {
  return Math.max(1, Math.ceil((Number(seconds) || 0) / 60))
}
