// Something the user just opened (the clause, the reason form) is scrolled into view if it is below the
// fold; the message list does not move when it is already visible.
export function revealed(element) {
  if (element && typeof element.scrollIntoView === 'function') {
    element.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
  }
}
