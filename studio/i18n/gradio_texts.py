"""gradio's own texts on the page (its widgets' screen-reader labels and tooltips) in the page's language.

gradio words the parts of its widgets itself: most of them as English literals ("Copy", "Reset to default
value", the chatbot's "chatbot conversation", a plot's "undefined plot visualising provided data"), the rest through its translation tables chosen by the browser's
locale, never by the studio's language switch; and one key its tables lack, the status announcement
"common.complete", is read out as that key. So:

    i18n()      # launch(i18n=...): the keys gradio's tables lack, in the locales a studio page meets
    HEAD        # launch(head=...): while the page is in Chinese, a label or tooltip of gradio's from ZH is
                # shown in Chinese (and given back in English after a switch back)

Only aria-label, title, placeholder and alt attributes that equal an English text of ZH (or match PATTERNS), and
text nodes that equal one of TEXTS (an upload box's "Drop Image Here / - or - / Click to Upload"), are changed:
nothing the studio writes (its own texts come from the tables) and no value.
"""

from __future__ import annotations

import json

# gradio's English (exact) -> the Chinese shown while the page is in Chinese. Seen on the studio's page
# (tests/browser/test_browser_lang.py checks the ones on the first tabs).
ZH = {
    "chatbot conversation": "对话记录",
    "Copy": "复制",
    "Copy message": "复制消息",
    "Copy conversation": "复制整段对话",
    "Copied message": "已复制消息",
    "Copy table data": "复制表格数据",
    "Download": "下载",
    "Fullscreen": "全屏",
    "Exit fullscreen mode": "退出全屏",
    "Reset to default value": "恢复默认值",
    "Table actions": "表格操作",
    "Dataframe": "数据表",
    "Empty value": "空",
    "More tabs": "更多标签页",
    "Unfold line": "展开此行",
    "Code input container": "代码输入框",
    "undefined plot visualising provided data": "图表",
    "Clear": "清除",
    "Close": "关闭",
    "Upload file": "上传文件",
    "Upload a file": "上传文件",
    "Uploaded files": "已上传的文件",
    "Uploading": "正在上传",
    "Scroll down": "滚动到底部",
    "Submit": "提交",
    "Stop": "停止",
    "Undo": "撤销",
    "Retry": "重试",
    "Edit": "编辑",
    "Like": "赞",
    "Dislike": "踩",
}
# gradio's texts written as page text rather than attributes (an upload box's drop zone), the same way.
TEXTS = {
    "Drop Image Here": "将图片拖放到此处",
    "Drop File Here": "将文件拖放到此处",
    "- or -": "- 或 -",
    "Click to Upload": "点击上传",
    "Paste from clipboard": "从剪贴板粘贴",
    # A toast's title (gr.Warning/Info/Error's default, and the errors gradio raises itself)
    "Warning": "警告",
    "Info": "提示",
    "Error": "错误",
    "Success": "成功",
}
# gradio's labels that carry a component's own label: "number input for 学习率" -> "学习率（数字输入）".
PATTERNS = [
    ("^number input for (.+)$", "$1（数字输入）"),
    ("^range slider for (.+)$", "$1（滑块）"),
]
# The keys gradio's tables lack (its status tracker announces `common.complete` when an event ends).
I18N_TABLES = {
    "en": {"common.complete": "Complete"},
    "zh-CN": {"common.complete": "完成"},
    "zh-TW": {"common.complete": "完成"},
}


def i18n():
    """gradio's I18n with the keys its own tables lack."""
    import gradio as gr

    return gr.I18n(**I18N_TABLES)


SCRIPT = """
() => {
  const ZH = __ZH__;
  const PATTERNS = __PATTERNS__.map(([re, to]) => [new RegExp(re), to]);
  const ATTRS = ["aria-label", "title", "placeholder", "alt"];
  const shown = new WeakMap();  // element -> {attr: [English, Chinese]} for what this script changed
  const chinese = () => document.querySelector("#lang-switch input:checked")?.value === "zh";
  const translate = (text) => {
    if (Object.prototype.hasOwnProperty.call(ZH, text)) return ZH[text];
    for (const [re, to] of PATTERNS) if (re.test(text)) return text.replace(re, to);
    return null;
  };
  const fix = (el, zh) => {
    for (const attr of ATTRS) {
      const value = el.getAttribute(attr);
      if (value === null) continue;
      const mine = shown.get(el) || {};
      if (zh) {
        const text = translate(value);
        if (text !== null && text !== value) {
          mine[attr] = [value, text];
          shown.set(el, mine);
          el.setAttribute(attr, text);
        }
      } else if (mine[attr] && mine[attr][1] === value) {  // ours, not one gradio wrote since
        el.setAttribute(attr, mine[attr][0]);
        delete mine[attr];
      }
    }
  };
  const TEXTS = __TEXTS__;
  const textShown = new WeakMap();  // text node -> [English, Chinese] for what this script changed
  const fixText = (node, zh) => {
    const value = node.nodeValue || "";
    const mine = textShown.get(node);
    if (zh) {
      const key = value.trim();
      if (Object.prototype.hasOwnProperty.call(TEXTS, key)) {
        const text = value.replace(key, TEXTS[key]);
        textShown.set(node, [value, text]);
        node.nodeValue = text;
      }
    } else if (mine && mine[1] === value) {
      node.nodeValue = mine[0];
      textShown.delete(node);
    }
  };
  const scanText = (root, zh) => {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) fixText(n, zh);
  };
  const selector = ATTRS.map((a) => "[" + a + "]").join(",");
  const scan = (root) => {
    const zh = chinese();
    if (root.nodeType === 3) return fixText(root, zh);
    if (root.nodeType !== 1) return;
    if (root.matches(selector)) fix(root, zh);
    root.querySelectorAll(selector).forEach((el) => fix(el, zh));
    scanText(root, zh);
  };
  new MutationObserver((records) => {
    for (const r of records) {
      if (r.type === "attributes") fix(r.target, chinese());
      else if (r.type === "characterData") fixText(r.target, chinese());
      else r.addedNodes.forEach(scan);
    }
  }).observe(document.body, {subtree: true, childList: true, characterData: true, attributes: true,
                             attributeFilter: ATTRS});
  // The language switch (by hand, or the remembered language applied when the page opens): gradio sets the
  // radio without an event, so it is looked at twice a second.
  let last = chinese();
  setInterval(() => {
    if (chinese() !== last) {
      last = chinese();
      scan(document.body);
    }
  }, 500);
  scan(document.body);
}
""".replace("__ZH__", json.dumps(ZH, ensure_ascii=False)).replace("__PATTERNS__", json.dumps(PATTERNS)).replace(
    "__TEXTS__", json.dumps(TEXTS, ensure_ascii=False))
# launch(head=...): run once the page has its config (launch's `js` is the Monitor's).
HEAD = f"<script>({SCRIPT.strip()})();</script>"
