// Building the page's elements. Every piece of data becomes a text node or an
// attribute value, never HTML.

export const byId = (id) => document.getElementById(id)

/** An element with attributes and children; strings and numbers become text nodes. */
export function h(tag, attrs, ...children) {
  const node = document.createElement(tag)
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue
    if (name === 'class') node.className = value
    else node.setAttribute(name, value === true ? '' : String(value))
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue
    node.append(typeof child === 'string' || typeof child === 'number' ? document.createTextNode(String(child)) : child)
  }
  return node
}

/** A <time> whose machine-readable value is the ISO date-time. */
export function timeElement(iso, text) {
  return h('time', { datetime: iso }, text)
}

let fields = 0

/**
 * A form control with its visible label (tied by `for`, so the label alone names
 * it: a wrapping label would add the control's value to its name).
 */
export function field(label, control) {
  if (!control.id) control.id = `field-${++fields}`
  return h('div', { class: 'field' }, h('label', { for: control.id }, label), control)
}
