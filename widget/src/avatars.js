// Avatars drawn inline (data: URLs): no image is fetched from anywhere at run time.

const svg = (body) => `data:image/svg+xml;charset=utf-8,${encodeURIComponent(body)}`;

// The bot: an atom, for the science & technology bureau, on the widget's colour.
export function botAvatar(color) {
  return svg(
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 40 40">` +
      `<rect width="40" height="40" rx="8" fill="${color}"/>` +
      `<g fill="none" stroke="#fff" stroke-width="1.8">` +
      `<ellipse cx="20" cy="20" rx="13" ry="5.2"/>` +
      `<ellipse cx="20" cy="20" rx="13" ry="5.2" transform="rotate(60 20 20)"/>` +
      `<ellipse cx="20" cy="20" rx="13" ry="5.2" transform="rotate(120 20 20)"/>` +
      `</g><circle cx="20" cy="20" r="2.6" fill="#fff"/></svg>`,
  );
}

// The user: a neutral silhouette.
export const USER_AVATAR = svg(
  `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 40 40">` +
    `<rect width="40" height="40" rx="8" fill="#c9d3df"/>` +
    `<circle cx="20" cy="15.5" r="6.5" fill="#fff"/>` +
    `<path d="M7.5 34c1.6-7 6.6-10.5 12.5-10.5S30.9 27 32.5 34z" fill="#fff"/></svg>`,
);
