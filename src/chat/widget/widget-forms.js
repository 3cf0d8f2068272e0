// The two forms that work without a chat: "leave a message" (it becomes a task for the owner
// or the product's expert) and "call me back" (a call-back to the phone given).

function field(id, label, control) {
  control.id = id
  return h('div', { class: 'field' }, h('label', { for: id }, label), control)
}

/** A form with its own heading, hint, fields and an error line; `submit(values)` returns the thanks to show. */
function createForm({ id, title, hint, fields, t, submit, onBack }) {
  const error = h('p', { class: 'error', role: 'alert' })
  const done = h('p', { class: 'done', role: 'status' })
  const heading = h('h3', { id: `${id}-title`, tabindex: '-1' }, title)
  const button = h('button', { type: 'submit' }, t.submit)
  const form = h('form', { class: 'form', 'aria-labelledby': `${id}-title`, novalidate: true }, heading, h('p', { class: 'hint' }, hint), fields, error, h('div', { class: 'actions' }, button, h('button', { type: 'button', class: 'quiet', onclick: onBack }, t.back)))
  form.addEventListener('submit', async (event) => {
    event.preventDefault()
    error.textContent = ''
    button.disabled = true
    try {
      const thanks = await submit(form)
      if (thanks) {
        done.textContent = thanks
        form.replaceWith(done)
      }
    } catch (err) {
      error.textContent = err.message
    } finally {
      button.disabled = false
    }
  })
  const view = h('div', { class: 'view', hidden: true }, form)
  return {
    view,
    reset() {
      form.reset()
      error.textContent = ''
      if (done.isConnected) done.replaceWith(form)
    },
    focus: () => heading.focus()
  }
}

function createLeaveForm({ t, post, errorText, onBack }) {
  const text = h('textarea', { rows: '4', required: true, maxlength: '2000' })
  const phone = h('input', { type: 'tel', autocomplete: 'tel' })
  const email = h('input', { type: 'email', autocomplete: 'email' })
  const fields = [field('leave-text', t.messageText, text), field('leave-phone', t.phone, phone), field('leave-email', t.email, email)]
  return createForm({
    id: 'leave',
    title: t.leaveTitle,
    hint: t.leaveHint,
    fields,
    t,
    onBack,
    submit: async () => {
      if (!text.value.trim()) throw focusOn(text, t.needText)
      if (!phone.value.trim() && !email.value.trim()) throw focusOn(phone, t.needContact)
      await post('/v1/chat/messages-left', { text: text.value.trim(), ...(phone.value.trim() ? { phone: phone.value.trim() } : {}), ...(email.value.trim() ? { email: email.value.trim() } : {}) }).catch((err) => {
        throw new Error(errorText(err))
      })
      return t.messageLeft
    }
  })
}

function createCallForm({ t, post, errorText, onBack }) {
  const phone = h('input', { type: 'tel', autocomplete: 'tel', required: true })
  return createForm({
    id: 'call',
    title: t.callTitle,
    hint: t.callHint,
    fields: [field('call-phone', t.phone, phone)],
    t,
    onBack,
    submit: async () => {
      const number = phone.value.trim()
      if (!number) throw focusOn(phone, t.needPhone)
      await post('/v1/chat/call-me', { phone: number }).catch((err) => {
        throw new Error(errorText(err))
      })
      return t.callAsked(number)
    }
  })
}

function focusOn(control, message) {
  control.setAttribute('aria-invalid', 'true')
  control.focus()
  return new Error(message)
}
