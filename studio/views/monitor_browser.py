"""The Monitor's part that runs in the browser: the log box that follows its end, and hiding the previous
job's outputs while a newly picked job's come (studio/views/monitor.py wires them; studio/app.py adds them
to the page's js and CSS)."""

# Given to launch(js=...): the log box shows its newest line and follows the end as lines come, unless the user
# scrolls up to read (following again once they scroll back to the end); a newly picked job starts at its end.
# Only a scroll the user made (wheel, touch, key, pointer in the last 1.5 s) stops the following: a new value can
# scroll the box too (the browser clamps or resets scrollTop), and that must not read as the user scrolling up.
# It also shows the Monitor again (SWITCHING_JS) once the header names the picked job, whichever answer brought it.
LOG_FOLLOW_JS = """
() => {
  const follow = { box: null, on: true, job: null, user: 0 };
  const atEnd = (box) => box.scrollHeight - box.scrollTop - box.clientHeight < 24;
  setInterval(() => {
    const id = document.querySelector("#job-header .job-id");
    const job = id ? id.textContent.trim() : null;
    const pick = document.querySelector("#job-picker input");
    if (job && pick && pick.value === job) document.body.classList.remove("sp-switching");
    const box = document.querySelector("#job-log textarea");
    if (!box) return;
    if (box !== follow.box) {
      follow.box = box;
      follow.on = true;
      const touched = () => { follow.user = Date.now(); };
      ["wheel", "touchmove", "keydown", "pointerdown"].forEach((k) => box.addEventListener(k, touched));
      box.addEventListener("scroll", () => { if (Date.now() - (follow.user || 0) < 1500) follow.on = atEnd(box); });
    }
    if (job !== follow.job) {
      follow.job = job;
      follow.on = true;
    }
    if (follow.on && box.offsetParent !== null && !atEnd(box)) box.scrollTop = box.scrollHeight;
  }, 200);
}
"""
# On a pick (Start, Runs -> Open, the dropdown) the previous job's header, bar, curve and log are hidden at once,
# in the browser, until the new job's arrive (SWITCH_CSS, in the page's CSS): never a moment of the old job under
# the new one's id. The class goes after 30 s whatever happens.
SWITCHING_JS = """
(...args) => {
  document.body.classList.add("sp-switching");
  clearTimeout(window.spSwitching);
  window.spSwitching = setTimeout(() => document.body.classList.remove("sp-switching"), 30000);
  return args;
}
"""
SWITCHED_JS = '() => { document.body.classList.remove("sp-switching"); }'
SWITCH_CSS = """
body.sp-switching :is(#job-header, #job-progress, #job-stats, #job-error, #loss-plot, #loss-points, #system-column,
  #job-advice, #job-samples, #job-log) { visibility: hidden; }
"""
