// The admin console's script (docs/decisions.md "Admin console"): reads and acts through /admin/api/…,
// draws charts with uPlot, and speaks English or Chinese. No build step: plain browser JavaScript.
/* global uPlot */
'use strict';
(function () {
  const T = {
    en: {
      'nav.dashboard': 'Dashboard', 'nav.live': 'Live meetings', 'nav.rooms': 'Rooms', signout: 'Sign out', skip: 'Skip to content',
      from: 'From', to: 'To', show: 'Show', last: 'Last {n} days', download: 'Download xlsx', loading: 'Loading…',
      usage: 'Meetings, participants and minutes per day', meetings: 'Meetings', participants: 'Participants', minutes: 'Minutes',
      top: 'Top users', user: 'User', devices: 'Device mix', networks: 'Network mix', sessions: 'Sessions',
      loss: 'Packet loss per day (%)', jitter: 'Jitter per day (ms)', bitrate: 'Bitrate per day (kbps)',
      overRange: 'Whole range ({n} samples): p50 {p50} · p90 {p90} · p99 {p99}', none: 'Nothing in this range.',
      noLive: 'No meeting is in progress.', topic: 'Topic', number: 'Meeting number', started: 'Started', host: 'Host', device: 'Device', network: 'Network', quality: 'Live quality',
      end: 'End meeting', kick: 'Remove', makeHost: 'Make host', recStart: 'Start recording', recStop: 'Stop recording', recording: 'Recording',
      ended: 'Meeting ended.', kicked: 'Removed from the meeting.', hostSet: 'Host changed.', recStarted: 'Recording started.', recStopped: 'Recording stopped.',
      updated: 'Updated {t}', levels: 'Levels and rooms', capacity: 'Capacity', enabled: 'Enabled', disabled: 'Disabled', disabledFrom: 'to be disabled from {t}', until: 'until {t}', enable: 'Enable', disable: 'Disable',
      day: 'Day', week: 'Week', date: 'Date', category: 'Kind', bookings: 'Bookings', book: 'Book', start: 'Start', endTime: 'End', booked: 'Room booked.',
      checkedIn: 'checked in', awaiting: 'awaiting check-in', pickRoom: 'Pick a room on the left.', roomEnabled: 'Room enabled.', roomDisabled: 'Room disabled.',
      settings: 'Settings and where each comes from', fromRoom: 'this room', fromLevel: 'level {name}', fromRoot: 'the organisation', room: 'Room ID', organizer: 'Organizer', status: 'Status', error: 'Refused', people: '{n} in the meeting',
      'nav.users': 'Users', 'nav.apps': 'Apps and events', addUser: 'Add user', userId: 'User ID', name: 'Name', email: 'Email', department: 'Department', departments: 'Departments',
      admin: 'Administrator', active: 'Active', frozen: 'Disabled', resigned: 'Resigned', makeAdmin: 'Make administrator', revokeAdmin: 'Revoke administrator', invite: 'Invitation link',
      inviteMade: 'Invitation link (valid 72 h, send it to the user):', userAdded: 'User added.', saved: 'Saved.', more: 'More', none2: '(none)',
      app: 'App', scopes: 'Scopes', redirectUris: 'Redirect URIs (one per line)', requestUrl: 'Event request URL', eventTypes: 'Subscribed events', save: 'Save',
      'nav.exports': 'Exports', kind: 'Export', meeting_list: 'Meeting list', participant_list: 'Participant list', participant_quality_list: 'Participant quality', resource_reservation_list: 'Room reservations',
      meetingNo: 'Meeting number', joinTime: 'Join time', roomLevel: 'Room level ID', startExport: 'Start export', exportStarted: 'Export started.', progress: 'Progress', file: 'File',
      running: 'Running', done: 'Done', failed: 'Failed', expired: 'Expired', tasks: 'Exports',
      'nav.recordings': 'Recordings', storage: 'Storage used: {files} in composed files; {disk} on disk for the recordings listed', play: 'Play', share: 'Who may watch', shareTenant: 'Everyone in the organisation', sharePublic: 'Anyone with the link',
      compose: 'Compose again', del: 'Delete', composing: 'Composing again.', deleted: 'Recording deleted.', noRecordings: 'No recordings yet.', duration: 'Duration', size: 'Size', confirmDelete: 'Delete this recording, its file and its raw tracks?',
      recording_s: 'Recording', processing: 'Processing', ready: 'Ready', pending: 'Pending', delivered: 'Delivered',
      deliveries: 'Event delivery log', event: 'Event', attempts: 'Attempts', created: 'Created', lastError: 'Last result', redeliver: 'Redeliver', redelivered: 'Queued for redelivery.', all: 'All',
    },
    zh: {
      'nav.dashboard': '仪表盘', 'nav.live': '进行中的会议', 'nav.rooms': '会议室', signout: '退出登录', skip: '跳到正文',
      from: '开始日期', to: '结束日期', show: '查看', last: '最近 {n} 天', download: '下载 xlsx', loading: '加载中…',
      usage: '每日会议数、参会人数和会议分钟数', meetings: '会议数', participants: '参会人数', minutes: '分钟数',
      top: '活跃用户排行', user: '用户', devices: '设备分布', networks: '网络分布', sessions: '入会次数',
      loss: '每日丢包率（%）', jitter: '每日抖动（毫秒）', bitrate: '每日码率（kbps）',
      overRange: '整个时间段（{n} 条采样）：p50 {p50} · p90 {p90} · p99 {p99}', none: '该时间段内没有数据。',
      noLive: '当前没有进行中的会议。', topic: '会议主题', number: '会议号', started: '开始时间', host: '主持人', device: '设备', network: '网络', quality: '实时质量',
      end: '结束会议', kick: '移出会议', makeHost: '设为主持人', recStart: '开始录制', recStop: '停止录制', recording: '录制中',
      ended: '会议已结束。', kicked: '已移出会议。', hostSet: '已更换主持人。', recStarted: '已开始录制。', recStopped: '已停止录制。',
      updated: '更新于 {t}', levels: '层级和会议室', capacity: '容量', enabled: '已启用', disabled: '已禁用', disabledFrom: '将于 {t} 起禁用', until: '至 {t}', enable: '启用', disable: '禁用',
      day: '日', week: '周', date: '日期', category: '类别', bookings: '预订', book: '预订', start: '开始', endTime: '结束', booked: '会议室已预订。',
      checkedIn: '已签到', awaiting: '待签到', pickRoom: '请在左侧选择会议室。', roomEnabled: '会议室已启用。', roomDisabled: '会议室已禁用。',
      settings: '设置及其来源', fromRoom: '本会议室', fromLevel: '层级 {name}', fromRoot: '整个组织', room: '会议室 ID', organizer: '预订人', status: '状态', error: '操作被拒绝', people: '{n} 人在会中',
      'nav.users': '用户', 'nav.apps': '应用和事件', addUser: '添加用户', userId: '用户 ID', name: '姓名', email: '邮箱', department: '部门', departments: '部门',
      admin: '管理员', active: '正常', frozen: '已停用', resigned: '已离职', makeAdmin: '设为管理员', revokeAdmin: '取消管理员', invite: '邀请链接',
      inviteMade: '邀请链接（72 小时内有效，请发送给该用户）：', userAdded: '已添加用户。', saved: '已保存。', more: '更多', none2: '（无）',
      app: '应用', scopes: '权限', redirectUris: '重定向 URI（每行一个）', requestUrl: '事件请求地址', eventTypes: '订阅的事件', save: '保存',
      'nav.exports': '导出', kind: '导出类型', meeting_list: '会议明细', participant_list: '参会人明细', participant_quality_list: '参会人会议质量', resource_reservation_list: '会议室预定',
      meetingNo: '会议号', joinTime: '入会时间', roomLevel: '层级 ID', startExport: '开始导出', exportStarted: '已开始导出。', progress: '进度', file: '文件',
      running: '进行中', done: '已完成', failed: '失败', expired: '已过期', tasks: '导出任务',
      'nav.recordings': '录制', storage: '已用存储：合成文件 {files}；所列录制在磁盘上共 {disk}', play: '播放', share: '观看权限', shareTenant: '组织内所有人', sharePublic: '获得链接的任何人',
      compose: '重新合成', del: '删除', composing: '正在重新合成。', deleted: '录制已删除。', noRecordings: '暂无录制。', duration: '时长', size: '大小', confirmDelete: '删除该录制及其文件和原始音视频轨？',
      recording_s: '录制中', processing: '处理中', ready: '就绪', pending: '待发送', delivered: '已送达',
      deliveries: '事件推送记录', event: '事件', attempts: '尝试次数', created: '创建时间', lastError: '最近结果', redeliver: '重新推送', redelivered: '已加入重新推送队列。', all: '全部',
    },
  };
  let lang = localStorage.getItem('openvc.lang') || (navigator.language.startsWith('zh') ? 'zh' : 'en');
  const t = (k, vars) => (T[lang][k] ?? T.en[k] ?? k).replace(/\{(\w+)\}/g, (_, v) => String(vars?.[v] ?? ''));
  const $ = (sel, root = document) => root.querySelector(sel);
  const el = (tag, attrs = {}, ...children) => {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) {
      if (v === undefined || v === null || v === false) continue;
      if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
      else if (k === 'text') e.textContent = v;
      else e.setAttribute(k, v === true ? '' : v);
    }
    for (const c of children.flat()) if (c !== null && c !== undefined) e.append(c instanceof Node ? c : String(c));
    return e;
  };
  const status = (text, kind = 'ok') => {
    const box = $('#status');
    box.replaceChildren(text ? el('div', { class: `msg ${kind}`, text }) : '');
  };

  /** A JSON call to the console API; resolves with `data`, or throws an Error carrying the server's message. */
  async function api(method, path, body) {
    const res = await fetch(path, { method, headers: body !== undefined ? { 'content-type': 'application/json' } : {}, body: body !== undefined ? JSON.stringify(body) : undefined });
    let json;
    try {
      json = await res.json();
    } catch {
      throw new Error(`HTTP ${res.status}`);
    }
    if (json.code !== 0) throw Object.assign(new Error(json.msg || `error ${json.code}`), { code: json.code });
    return json.data;
  }
  /** Runs an action from a button: the button is off while it runs, so a double click sends once. */
  async function act(button, work, done) {
    if (button.disabled) return;
    button.disabled = true;
    try {
      await work();
      status(done, 'ok');
    } catch (e) {
      status(`${t('error')}: ${e.message}`, 'error');
    } finally {
      button.disabled = false;
    }
  }

  function applyLang() {
    document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
    for (const e of document.querySelectorAll('[data-i18n]')) e.textContent = t(e.dataset.i18n);
    $('#lang').textContent = lang === 'zh' ? 'English' : '中文';
  }
  $('#lang').addEventListener('click', () => {
    lang = lang === 'zh' ? 'en' : 'zh';
    localStorage.setItem('openvc.lang', lang);
    applyLang();
    render();
  });

  /** The report day (UTC+8, as the server counts days: docs/decisions.md "Reports") that holds an instant. */
  const reportDay = (ms) => new Date(ms + 8 * 3_600_000).toISOString().slice(0, 10);
  /** The browser's own calendar date of a Date (the room calendar shows the browser's days). */
  const isoLocal = (dt) => `${dt.getFullYear()}-${String(dt.getMonth() + 1).padStart(2, '0')}-${String(dt.getDate()).padStart(2, '0')}`;
  // A month name in English ("7 Dec 2026, 11:59:41"): a numeric 07/12/2026 reads as July to half the readers.
  const fmtTime = (ms) => (ms ? new Date(ms).toLocaleString(lang === 'zh' ? 'zh-CN' : 'en-GB', { year: 'numeric', month: lang === 'zh' ? 'numeric' : 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false }) : '');
  const fmtNum = (n, digits = 1) => (n === null || n === undefined ? '–' : Number(n).toFixed(digits).replace(/\.0+$/, ''));

  /** room_status in words: enabled or disabled, the window's edges that lie ahead, the reason. */
  function roomStatusText(st) {
    const at = (sec) => fmtTime(Number(sec) * 1000);
    const ahead = (sec) => sec && sec !== '0' && Number(sec) * 1000 > Date.now();
    const until = ahead(st.disable_end_time) ? ` ${t('until', { t: at(st.disable_end_time) })}` : '';
    if (st.status) return ahead(st.disable_start_time) ? `${t('enabled')} · ${t('disabledFrom', { t: at(st.disable_start_time) })}${until}` : t('enabled');
    return `${t('disabled')}${until}${st.disable_reason ? ` · ${st.disable_reason}` : ''}`;
  }

  // On a phone the wide tables (class `cards`) show each row as a card, each cell headed by its column's
  // name: the cells get the heads' text as data-label whenever rows are drawn.
  const labelCards = () => {
    for (const table of document.querySelectorAll('table.cards')) {
      const heads = [...table.querySelectorAll('thead th')].map((th) => th.textContent);
      for (const tr of table.querySelectorAll('tbody tr')) {
        [...tr.children].forEach((td, i) => {
          if (heads[i] && td.dataset.label !== heads[i]) td.dataset.label = heads[i];
        });
      }
    }
  };
  new MutationObserver(labelCards).observe(document.body, { childList: true, subtree: true });

  // Dashboard ------------------------------------------------------------------------------------------

  const COLORS = ['#3370ff', '#34c724', '#ff8800', '#d83931', '#7f3bf5', '#00b8a9'];
  const charts = [];
  function chartWidth(box) {
    return Math.max(260, box.clientWidth);
  }
  function lineChart(box, width, xs, series, yLabel) {
    const opts = {
      width,
      height: 220,
      series: [{ label: t('date'), value: '{YYYY}-{MM}-{DD}' }, ...series.map((s, i) => ({ label: s.label, stroke: COLORS[i], width: 2, scale: s.scale ?? 'y', spanGaps: false }))],
      axes: [{}, { label: yLabel, scale: 'y' }, ...(series.some((s) => s.scale === 'y2') ? [{ side: 1, scale: 'y2', grid: { show: false } }] : [])],
      scales: { x: { time: true } },
    };
    charts.push(new uPlot(opts, [xs, ...series.map((s) => s.values)], box));
  }
  function barChart(box, width, labels, values, label) {
    const xs = labels.map((_, i) => i);
    const opts = {
      width,
      height: 220,
      scales: { x: { time: false, range: [-0.6, Math.max(0.6, labels.length - 0.4)] } },
      axes: [{ values: (_, ticks) => ticks.map((i) => labels[i] ?? ''), splits: () => xs }, {}],
      series: [{ label: t('category'), value: (_, i) => (i === null ? '--' : (labels[i] ?? '--')) }, { label, fill: '#3370ff99', stroke: '#3370ff', paths: uPlot.paths.bars({ size: [0.6, 80] }), points: { show: false } }],
    };
    charts.push(new uPlot(opts, [xs, values], box));
  }

  function dashboard(view) {
    const params = new URLSearchParams(location.search);
    // the last days up to today as the server counts report days, whatever the browser's time zone
    const today = Date.now();
    const from = params.get('from') || reportDay(today - 29 * 86_400_000);
    const to = params.get('to') || reportDay(today);
    const form = el(
      'form',
      { class: 'bar', id: 'range' },
      el('label', {}, t('from'), el('input', { type: 'date', name: 'from', value: from, required: true })),
      el('label', {}, t('to'), el('input', { type: 'date', name: 'to', value: to, required: true })),
      el('button', { type: 'submit', text: t('show') }),
      ...[7, 30, 90, 365].map((n) =>
        el('button', {
          type: 'button',
          class: 'quiet',
          text: t('last', { n }),
          onclick: () => go(reportDay(today - (n - 1) * 86_400_000), reportDay(today)),
        }),
      ),
    );
    const go = (f, tt) => {
      history.replaceState(null, '', `?from=${f}&to=${tt}`);
      render();
    };
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      go(form.from.value, form.to.value);
    });
    const q = `from=${from}&to=${to}`;
    const card = (id, title) =>
      el('section', { class: 'card', id: `chart-${id}`, 'aria-labelledby': `h-${id}` }, el('div', { class: 'head' }, el('h2', { id: `h-${id}`, text: title }), el('a', { class: 'download', href: `/admin/api/dashboard/${id.replace(/-.*/, '')}.xlsx?${q}`, download: true, text: t('download') })), el('div', { class: 'chart', role: 'img', 'aria-label': title }));
    const cards = { usage: card('usage', t('usage')), top: card('top', t('top')), devices: card('devices', t('devices')), networks: card('networks', t('networks')), loss: card('quality-loss', t('loss')), jitter: card('quality-jitter', t('jitter')), bitrate: card('quality-bitrate', t('bitrate')) };
    view.replaceChildren(form, el('div', { class: 'grid' }, ...Object.values(cards)));
    status(t('loading'));
    const started = performance.now();
    api('GET', `/admin/api/dashboard?${q}`)
      .then((d) => {
        status('');
        const xs = d.days.map((r) => r.date);
        // Every card is one grid column wide: its width is read once, as each read after a chart is drawn
        // would lay the whole page out again.
        const width = chartWidth($('.chart', cards.usage));
        lineChart($('.chart', cards.usage), width, xs, [
          { label: t('meetings'), values: d.days.map((r) => r.meetings) },
          { label: t('participants'), values: d.days.map((r) => r.participants) },
          { label: t('minutes'), values: d.days.map((r) => r.minutes), scale: 'y2' },
        ]);
        const topBox = $('.chart', cards.top);
        if (d.top.length === 0) topBox.replaceChildren(el('p', { class: 'muted', text: t('none') }));
        else {
          const max = Math.max(...d.top.map((u) => u.meetings));
          topBox.replaceChildren(
            el('table', {}, el('thead', {}, el('tr', {}, el('th', { text: t('user') }), el('th', { text: t('meetings') }), el('th', { text: t('minutes') }))),
              el('tbody', {}, ...d.top.map((u) => el('tr', {}, el('td', {}, u.name || u.user_id, ' ', el('span', { class: 'muted', text: u.user_id })), el('td', {}, el('div', { style: `background:#3370ff;height:10px;border-radius:4px;width:${Math.max(2, (u.meetings / max) * 100)}%`, 'aria-hidden': 'true' }), String(u.meetings)), el('td', { text: String(u.minutes) }))))),
          );
        }
        for (const [key, rows] of [['devices', d.devices], ['networks', d.networks]]) {
          const box = $('.chart', cards[key]);
          if (rows.length === 0) box.replaceChildren(el('p', { class: 'muted', text: t('none') }));
          else barChart(box, width, rows.map((r) => r.kind), rows.map((r) => r.sessions), t('sessions'));
        }
        for (const key of ['loss', 'jitter', 'bitrate']) {
          lineChart($('.chart', cards[key]), width, xs, ['p50', 'p90', 'p99'].map((p) => ({ label: p, values: d.quality.map((q) => q[key][p]) })));
        }
        // Percentiles of the whole range come from its merged counts, not from the days' percentiles.
        for (const key of ['loss', 'jitter', 'bitrate']) {
          const r = d.quality_range[key];
          cards[key].append(el('p', { class: 'muted range', text: t('overRange', { n: d.quality_range.samples.toLocaleString(), p50: fmtNum(r.p50, 2), p90: fmtNum(r.p90, 2), p99: fmtNum(r.p99, 2) }) }));
        }
        document.body.dataset.drawn = String(Math.round(performance.now() - started));
      })
      .catch((e) => {
        status(`${t('error')}: ${e.message}`, 'error');
        document.body.dataset.drawn = 'error';
      });
  }

  // Live meetings ------------------------------------------------------------------------------------

  let liveTimer;
  let liveLast = '';
  function live(view) {
    const list = el('div', { id: 'meetings', class: 'grid' });
    const stamp = el('p', { class: 'muted', id: 'live-updated' });
    view.replaceChildren(stamp, list);
    liveLast = '';
    const tick = async () => {
      try {
        const d = await api('GET', '/admin/api/live');
        const key = JSON.stringify(d);
        if (key !== liveLast) {
          liveLast = key;
          drawLive(list, d);
        }
        stamp.textContent = t('updated', { t: new Date().toLocaleTimeString(lang === 'zh' ? 'zh-CN' : 'en-GB', { hour12: false }) });
      } catch (e) {
        status(`${t('error')}: ${e.message}`, 'error');
      }
      liveTimer = setTimeout(tick, 1000);
    };
    tick();
  }
  function drawLive(list, d) {
    if (d.meetings.length === 0) {
      list.replaceChildren(el('p', { class: 'muted', id: 'no-live', text: t('noLive') }));
      return;
    }
    const call = (m, path, body, done) => (e) => act(e.currentTarget, () => api('POST', `/admin/api/meetings/${m.id}/${path}`, body ?? {}), done);
    list.replaceChildren(
      ...d.meetings.map((m) =>
        el(
          'section',
          { class: 'card meeting', 'data-meeting': m.id, 'aria-label': `${m.topic} ${m.meeting_no}` },
          el('div', { class: 'head' }, el('h2', {}, m.topic || m.meeting_no, ' ', m.recording ? el('span', { class: 'tag rec', text: t('recording') }) : null), el('span', { class: 'muted', text: `${t('number')} ${m.meeting_no} · ${t('started')} ${fmtTime(m.started_at)} · ${t('people', { n: m.participants.length })}` })),
          el(
            'div',
            { class: 'actions' },
            el('button', { type: 'button', class: 'danger end', onclick: call(m, 'end', {}, t('ended')), text: t('end') }),
            el('button', { type: 'button', class: 'quiet record', onclick: call(m, 'recording', { on: !m.recording }, m.recording ? t('recStopped') : t('recStarted')), text: m.recording ? t('recStop') : t('recStart') }),
          ),
          el(
            'div',
            { class: 'scroll' },
            el(
              'table',
              {},
              el('thead', {}, el('tr', {}, el('th', { text: t('user') }), el('th', { text: t('device') }), el('th', { text: t('quality') }), el('th', {}, el('span', { class: 'sr', text: 'actions' })))),
              el(
                'tbody',
                {},
                ...m.participants.map((p) =>
                  el(
                    'tr',
                    { 'data-participant': p.key },
                    el('td', {}, p.name, ' ', p.key === m.host_key ? el('span', { class: 'tag', text: t('host') }) : null),
                    el('td', { text: [p.device.type, p.device.network, p.device.os].filter(Boolean).join(' · ') }),
                    el('td', { text: p.quality ? `loss ${fmtNum(p.quality.loss)}% · jitter ${fmtNum(p.quality.jitter)} ms · ${fmtNum(p.quality.bitrate, 0)} kbps` : '–' }),
                    el(
                      'td',
                      {},
                      el(
                        'div',
                        { class: 'actions' },
                        p.key === m.host_key ? null : el('button', { type: 'button', class: 'quiet make-host', onclick: call(m, 'host', { participant_key: p.key }, t('hostSet')), text: t('makeHost') }),
                        el('button', { type: 'button', class: 'danger kick', onclick: call(m, 'kickout', { participant_key: p.key }, t('kicked')), text: t('kick') }),
                      ),
                    ),
                  ),
                ),
              ),
            ),
          ),
        ),
      ),
    );
  }

  // Rooms ----------------------------------------------------------------------------------------------

  const roomState = { roomId: new URLSearchParams(location.search).get('room') || '', mode: 'week', date: isoLocal(new Date()) };
  async function rooms(view) {
    const side = el('section', { class: 'card', 'aria-labelledby': 'h-levels' }, el('h2', { id: 'h-levels', text: t('levels') }));
    const detail = el('section', { class: 'card', id: 'room-detail', 'aria-live': 'polite' });
    view.replaceChildren(el('div', { class: 'grid split' }, side, detail));
    let d;
    try {
      d = await api('GET', '/admin/api/rooms');
    } catch (e) {
      status(`${t('error')}: ${e.message}`, 'error');
      return;
    }
    const childrenOf = (id) => d.levels.filter((l) => l.parent_id === id);
    const roomsOf = (id) => d.rooms.filter((r) => r.room_level_id === id);
    const roots = d.levels.filter((l) => !d.levels.some((p) => p.room_level_id === l.parent_id));
    const levelItem = (l) =>
      el('li', {}, el('strong', { text: l.name }), el('ul', {}, ...roomsOf(l.room_level_id).map(roomItem), ...childrenOf(l.room_level_id).map(levelItem)));
    const roomItem = (r) =>
      el('li', {}, el('button', { type: 'button', class: 'level', 'data-room': r.room_id, 'aria-pressed': String(r.room_id === roomState.roomId), onclick: () => ((roomState.roomId = r.room_id), history.replaceState(null, '', `?room=${r.room_id}`), rooms(view)), text: `${r.name} (${r.capacity})${r.enabled ? '' : ' · ' + t('disabled')}` }));
    side.append(el('ul', { class: 'tree', 'aria-label': t('levels') }, ...roots.map(levelItem)));
    const room = d.rooms.find((r) => r.room_id === roomState.roomId);
    if (!room) {
      detail.replaceChildren(el('p', { class: 'muted', text: t('pickRoom') }));
      return;
    }
    const toggle = el('button', {
      type: 'button',
      id: 'room-toggle',
      class: room.enabled ? 'danger' : '',
      text: room.enabled ? t('disable') : t('enable'),
      onclick: (e) => act(e.currentTarget, () => api('POST', `/admin/api/rooms/${room.room_id}/status`, { enabled: !room.enabled }).then(() => rooms(view)), room.enabled ? t('roomDisabled') : t('roomEnabled')),
    });
    const settings = el('div', { class: 'scroll', id: 'room-config' });
    api('GET', `/admin/api/rooms/${room.room_id}/config`)
      .then((c) =>
        settings.replaceChildren(
          el('table', {}, el('tbody', {}, ...c.sections.map((x) => el('tr', { 'data-section': x.section }, el('th', { scope: 'row', text: x.section }), el('td', {}, x.section === 'room_status' ? roomStatusText(x.value) : el('code', { text: JSON.stringify(x.value).slice(0, 200) })), el('td', { class: 'from', text: x.from.scope_type === 2 ? t('fromRoom') : x.from.name ? t('fromLevel', { name: x.from.name }) : t('fromRoot') }))))),
        ),
      )
      .catch((e) => settings.replaceChildren(el('p', { class: 'msg error', text: e.message })));
    const modeBar = el(
      'div',
      { class: 'bar' },
      el('label', {}, t('date'), el('input', { type: 'date', id: 'cal-date', value: roomState.date, onchange: (e) => ((roomState.date = e.target.value), rooms(view)) })),
      ...['day', 'week'].map((m) => el('button', { type: 'button', class: roomState.mode === m ? '' : 'quiet', 'aria-pressed': String(roomState.mode === m), text: t(m), onclick: () => ((roomState.mode = m), rooms(view)) })),
    );
    const base = new Date(`${roomState.date}T00:00:00`);
    const first = roomState.mode === 'week' ? new Date(base.getTime() - ((base.getDay() + 6) % 7) * 86_400_000) : base;
    const days = Array.from({ length: roomState.mode === 'week' ? 7 : 1 }, (_, i) => new Date(first.getTime() + i * 86_400_000));
    const cal = el('div', { class: 'cal', id: 'calendar', style: `grid-template-columns:repeat(${days.length},minmax(0,1fr))` });
    // 10:00 on the day shown, or the next full hour when that has passed: a form filled with a past time
    // would only be refused.
    const nextHour = new Date();
    nextHour.setHours(nextHour.getHours() + 1, 0, 0, 0);
    const tenAm = new Date(`${roomState.date}T10:00`);
    const start = tenAm.getTime() > Date.now() ? tenAm : nextHour;
    const local = (dt) => new Date(dt.getTime() - dt.getTimezoneOffset() * 60000).toISOString().slice(0, 16);
    const bookForm = el(
      'form',
      { class: 'bar', id: 'book-form' },
      el('label', {}, t('topic'), el('input', { name: 'topic', maxlength: '255' })),
      el('label', {}, t('start'), el('input', { type: 'datetime-local', name: 'start', value: local(start), required: true })),
      el('label', {}, t('endTime'), el('input', { type: 'datetime-local', name: 'end', value: local(new Date(start.getTime() + 3_600_000)), required: true })),
      el('button', { type: 'submit', text: t('book') }),
    );
    bookForm.addEventListener('submit', (e) => {
      e.preventDefault();
      const sec = (v) => String(Math.floor(new Date(v).getTime() / 1000));
      const at = bookForm.start.value;
      // after booking, the calendar shows the day or week that holds the new booking (it may be next week)
      const shown = () => ((roomState.date = at.slice(0, 10)), rooms(view));
      act(bookForm.querySelector('button'), () => api('POST', '/admin/api/bookings', { room_id: room.room_id, topic: bookForm.topic.value, start_time: sec(at), end_time: sec(bookForm.end.value) }).then(shown), t('booked'));
    });
    detail.replaceChildren(
      el('div', { class: 'head' }, el('h2', { text: room.name }), el('span', { class: 'tag', id: 'room-state', text: room.enabled ? t('enabled') : t('disabled') })),
      el('p', { class: 'muted', text: `${t('capacity')} ${room.capacity} · ${room.room_id}` }),
      toggle,
      el('h2', { style: 'margin-top:12px', text: t('settings') }),
      settings,
      el('h2', { style: 'margin-top:12px', text: t('bookings') }),
      modeBar,
      cal,
      bookForm,
    );
    const fromQ = isoLocal(new Date(days[0].getTime() - 86_400_000));
    const toQ = isoLocal(new Date(days[days.length - 1].getTime() + 86_400_000));
    let b;
    try {
      b = await api('GET', `/admin/api/bookings?room_id=${encodeURIComponent(room.room_id)}&from=${fromQ}&to=${toQ}`);
    } catch (e) {
      status(`${t('error')}: ${e.message}`, 'error');
      return;
    }
    const hm = (ms) => new Date(ms).toLocaleTimeString(lang === 'zh' ? 'zh-CN' : 'en-GB', { hour: '2-digit', minute: '2-digit', hour12: false });
    cal.replaceChildren(
      ...days.map((day) => {
        const next = day.getTime() + 86_400_000;
        const mine = b.bookings.filter((x) => x.start_time < next && x.end_time > day.getTime());
        return el(
          'div',
          { class: 'day', 'data-day': isoLocal(day) },
          el('strong', { text: day.toLocaleDateString(lang === 'zh' ? 'zh-CN' : 'en-GB', { weekday: 'short', month: 'short', day: 'numeric' }) }),
          ...mine.map((x) => el('div', { class: `booking ${x.status}`, 'data-booking': x.id, text: `${hm(x.start_time)}–${hm(x.end_time)} ${x.topic || ''} · ${x.organizer} · ${x.checked_in_at ? t('checkedIn') : x.check_in_deadline ? t('awaiting') : x.status}` })),
        );
      }),
    );
  }

  // Users ----------------------------------------------------------------------------------------------

  async function users(view) {
    let d;
    try {
      d = await api('GET', '/admin/api/users');
    } catch (e) {
      status(`${t('error')}: ${e.message}`, 'error');
      return;
    }
    const deptName = (id) => d.departments.find((x) => x.department_id === id)?.name ?? id;
    const form = el(
      'form',
      { class: 'bar', id: 'add-user' },
      el('label', {}, t('userId'), el('input', { name: 'user_id', required: true, maxlength: '64', pattern: '[A-Za-z0-9_.\\-]+' })),
      el('label', {}, t('name'), el('input', { name: 'name', required: true, maxlength: '255' })),
      el('label', {}, t('email'), el('input', { name: 'email', type: 'email' })),
      el('label', {}, t('department'), el('select', { name: 'department_id' }, el('option', { value: '', text: t('none2') }), ...d.departments.map((x) => el('option', { value: x.department_id, text: x.name })))),
      el('button', { type: 'submit', text: t('addUser') }),
    );
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      act(form.querySelector('button'), () => api('POST', '/admin/api/users', { user_id: form.user_id.value, name: form.name.value, email: form.email.value, department_id: form.department_id.value }).then(() => users(view)), t('userAdded'));
    });
    const invited = el('div', { id: 'invite-link' });
    const userAct = (u, action, body, done, after) => (e) => act(e.currentTarget, () => api('POST', `/admin/api/users/${encodeURIComponent(u.user_id)}/${action}`, body).then(after ?? (() => users(view))), done);
    const rows = d.users.map((u) =>
      el(
        'tr',
        { 'data-user': u.user_id },
        el('td', {}, u.name, ' ', el('span', { class: 'muted', text: u.user_id }), u.is_admin ? el('span', { class: 'tag', text: t('admin') }) : null),
        el('td', { text: u.email ?? '' }),
        el('td', { text: u.department_ids.map(deptName).join(', ') }),
        el('td', { class: 'state', text: t(u.status) }),
        el(
          'td',
          {},
          el(
            'div',
            { class: 'actions' },
            u.user_id === d.me ? null : el('button', { type: 'button', class: 'quiet toggle-status', text: u.status === 'active' ? t('disable') : t('enable'), 'aria-label': `${u.status === 'active' ? t('disable') : t('enable')} ${u.user_id}`, onclick: userAct(u, 'status', { status: u.status === 'active' ? 'frozen' : 'active' }, t('saved')) }),
            u.user_id === d.me ? null : el('button', { type: 'button', class: 'quiet toggle-admin', text: u.is_admin ? t('revokeAdmin') : t('makeAdmin'), onclick: userAct(u, 'admin', { admin: !u.is_admin }, t('saved')) }),
            el('button', {
              type: 'button',
              class: 'quiet invite',
              text: t('invite'),
              onclick: userAct(u, 'invite', {}, t('saved'), (r) => invited.replaceChildren(el('p', { class: 'msg ok' }, t('inviteMade'), ' ', el('code', { id: 'invite-url', text: r.url })))),
            }),
          ),
        ),
      ),
    );
    view.replaceChildren(
      el('section', { class: 'card' }, el('h2', { text: t('addUser') }), form, invited),
      el('section', { class: 'card', style: 'margin-top:12px' }, el('div', { class: 'scroll' }, el('table', { id: 'users', class: 'cards' }, el('thead', {}, el('tr', {}, ...[t('name'), t('email'), t('departments'), t('status'), ''].map((h) => el('th', { text: h })))), el('tbody', {}, ...rows)))),
    );
  }

  // Apps and event deliveries --------------------------------------------------------------------------

  async function apps(view) {
    let d;
    let log;
    const appFilter = new URLSearchParams(location.search).get('app') || '';
    try {
      [d, log] = await Promise.all([api('GET', '/admin/api/apps'), api('GET', `/admin/api/deliveries${appFilter ? `?app_id=${encodeURIComponent(appFilter)}` : ''}`)]);
    } catch (e) {
      status(`${t('error')}: ${e.message}`, 'error');
      return;
    }
    const cards = d.apps.map((a) => {
      const form = el(
        'form',
        { class: 'app-form' },
        el('label', { style: 'display:block' }, t('redirectUris'), el('textarea', { name: 'redirect_uris', rows: '3', style: 'width:100%;font:inherit' }, a.redirect_uris.join('\n'))),
        el('label', { style: 'display:block;margin-top:6px' }, t('requestUrl'), el('input', { name: 'request_url', type: 'url', value: a.request_url ?? '', style: 'width:100%' })),
        el('fieldset', { style: 'border:1px solid #eee;border-radius:6px;margin-top:6px' }, el('legend', { text: t('eventTypes') }), ...d.event_types.map((type) => el('label', { style: 'display:inline-flex;gap:4px;margin-right:10px;font-size:13px' }, el('input', { type: 'checkbox', name: 'event_types', value: type, checked: a.event_types.includes(type) }), type))),
        el('button', { type: 'submit', style: 'margin-top:6px', text: t('save') }),
      );
      form.addEventListener('submit', (e) => {
        e.preventDefault();
        const uris = form.redirect_uris.value.split('\n').map((x) => x.trim()).filter(Boolean);
        const types = [...form.querySelectorAll('input[name=event_types]:checked')].map((x) => x.value);
        act(form.querySelector('button[type=submit]'), async () => {
          await api('POST', `/admin/api/apps/${a.app_id}/redirect_uris`, { redirect_uris: uris });
          await api('POST', `/admin/api/apps/${a.app_id}/event_subscription`, { request_url: form.request_url.value || null, event_types: types });
        }, t('saved'));
      });
      return el('section', { class: 'card', 'data-app': a.app_id }, el('h2', {}, a.name, ' ', el('span', { class: 'muted', text: a.app_id })), el('details', {}, el('summary', { text: `${t('scopes')} (${a.scopes.length})` }), el('p', { class: 'muted', text: a.scopes.join(', ') })), form);
    });
    const picker = el('select', { id: 'log-app', 'aria-label': t('app'), onchange: (e) => (history.replaceState(null, '', e.target.value ? `?app=${e.target.value}` : location.pathname), apps(view)) }, el('option', { value: '', text: t('all') }), ...d.apps.map((a) => el('option', { value: a.app_id, selected: a.app_id === appFilter, text: a.name })));
    const rows = log.deliveries.map((x) =>
      el(
        'tr',
        { 'data-delivery': x.delivery_id },
        el('td', { text: x.event_type }),
        el('td', { text: x.app_id }),
        el('td', { class: 'state', text: t(x.status) }),
        el('td', { text: String(x.attempts) }),
        el('td', { text: fmtTime(Number(x.created_at)) }),
        el('td', { text: x.last_error ?? (x.last_status ? `HTTP ${x.last_status}` : '') }),
        el('td', {}, el('button', { type: 'button', class: 'quiet redeliver', text: t('redeliver'), onclick: (e) => act(e.currentTarget, () => api('POST', '/admin/api/deliveries/redeliver', { delivery_ids: [x.delivery_id] }).then(() => apps(view)), t('redelivered')) })),
      ),
    );
    view.replaceChildren(
      el('div', { class: 'grid' }, ...cards),
      el('section', { class: 'card', style: 'margin-top:12px', 'aria-labelledby': 'h-log' }, el('div', { class: 'head' }, el('h2', { id: 'h-log', text: t('deliveries') }), picker), el('div', { class: 'scroll' }, el('table', { id: 'deliveries', class: 'cards' }, el('thead', {}, el('tr', {}, ...[t('event'), t('app'), t('status'), t('attempts'), t('created'), t('lastError'), ''].map((h) => el('th', { text: h })))), el('tbody', {}, ...rows)))),
    );
  }

  // Exports ---------------------------------------------------------------------------------------------

  const KINDS = {
    meeting_list: ['meeting_no', 'user_id', 'room_id'],
    participant_list: ['meeting_no', 'user_id', 'room_id'],
    participant_quality_list: ['meeting_no', 'join_time', 'user_id', 'room_id'],
    resource_reservation_list: ['room_level_id'],
  };
  const FIELD_LABEL = { meeting_no: 'meetingNo', user_id: 'userId', room_id: 'room', join_time: 'joinTime', room_level_id: 'roomLevel' };
  let exportTimer;
  const newRequestId = () => Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
  function exportsPage(view) {
    const kindSel = el('select', { name: 'kind', id: 'export-kind' }, ...Object.keys(KINDS).map((k) => el('option', { value: k, text: t(k) })));
    const local = (dt) => new Date(dt.getTime() - dt.getTimezoneOffset() * 60000).toISOString().slice(0, 16);
    const fields = el('div', { class: 'bar' });
    const form = el(
      'form',
      { id: 'export-form' },
      el('div', { class: 'bar' }, el('label', {}, t('kind'), kindSel), el('label', {}, t('start'), el('input', { type: 'datetime-local', name: 'start', required: true, value: local(new Date(Date.now() - 7 * 86_400_000)) })), el('label', {}, t('endTime'), el('input', { type: 'datetime-local', name: 'end', required: true, value: local(new Date()) }))),
      fields,
      el('button', { type: 'submit', text: t('startExport') }),
    );
    // One request id per filled form: sending it twice (a double click, a retry) starts one export.
    form.dataset.requestId = newRequestId();
    const drawFields = () => {
      fields.replaceChildren(...KINDS[kindSel.value].map((f) => el('label', {}, t(FIELD_LABEL[f]), el('input', { name: f, type: f === 'join_time' ? 'datetime-local' : 'text' }))));
      form.dataset.requestId = newRequestId();
    };
    kindSel.addEventListener('change', drawFields);
    form.addEventListener('input', (e) => {
      if (e.target !== kindSel) form.dataset.requestId = newRequestId();
    });
    drawFields();
    const sec = (v) => String(Math.floor(new Date(v).getTime() / 1000));
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const body = { kind: kindSel.value, request_id: form.dataset.requestId, start_time: sec(form.start.value), end_time: sec(form.end.value) };
      for (const f of KINDS[kindSel.value]) {
        const v = form.elements[f].value;
        if (v) body[f] = f === 'join_time' ? sec(v) : v;
      }
      act(form.querySelector('button[type=submit]'), () => api('POST', '/admin/api/exports', body).then(refresh), t('exportStarted'));
    });
    const tbody = el('tbody', {});
    view.replaceChildren(
      el('section', { class: 'card' }, form),
      el('section', { class: 'card', style: 'margin-top:12px', 'aria-labelledby': 'h-tasks' }, el('h2', { id: 'h-tasks', text: t('tasks') }), el('div', { class: 'scroll' }, el('table', { id: 'tasks', class: 'cards' }, el('thead', {}, el('tr', {}, ...[t('kind'), t('created'), t('status'), t('progress'), t('file')].map((h) => el('th', { text: h })))), tbody))),
    );
    async function refresh() {
      clearTimeout(exportTimer);
    clearTimeout(recTimer);
      try {
        const d = await api('GET', '/admin/api/exports');
        tbody.replaceChildren(
          ...d.tasks.map((x) =>
            el(
              'tr',
              { 'data-task': x.task_id, 'data-status': x.status },
              el('td', { text: t(x.kind) }),
              el('td', { text: fmtTime(x.created_at) }),
              el('td', { class: 'state', text: x.expired ? t('expired') : t(x.status) + (x.fail_msg ? `: ${x.fail_msg}` : '') }),
              el('td', {}, el('progress', { max: String(x.rows_total || 1), value: String(x.status === 'done' ? x.rows_total || 1 : x.rows_done), 'aria-label': t('progress') }), ` ${x.rows_done}${x.rows_total !== null ? ` / ${x.rows_total}` : ''}`),
              el('td', {}, x.status === 'done' && !x.expired ? el('a', { href: `/admin/api/exports/${x.task_id}/file`, class: 'download', text: x.file_name || t('download') }) : ''),
            ),
          ),
        );
        if (d.tasks.some((x) => x.status === 'running')) exportTimer = setTimeout(refresh, 1000);
      } catch (e) {
        status(`${t('error')}: ${e.message}`, 'error');
      }
    }
    refresh();
  }

  // Recordings ------------------------------------------------------------------------------------------

  const bytes = (n) => (n >= 1 << 30 ? `${(n / (1 << 30)).toFixed(1)} GB` : n >= 1 << 20 ? `${(n / (1 << 20)).toFixed(1)} MB` : `${Math.round(n / 1024)} KB`);
  let recTimer;
  async function recordings(view) {
    clearTimeout(recTimer);
    let d;
    try {
      d = await api('GET', '/admin/api/recordings');
    } catch (e) {
      status(`${t('error')}: ${e.message}`, 'error');
      return;
    }
    const rowOf = (r) => {
      const share = el(
        'fieldset',
        { class: 'share', style: 'border:0;padding:0;margin:0' },
        el('legend', { class: 'sr', text: t('share') }),
        ...[['tenant', t('shareTenant')], ['public', t('sharePublic')]].map(([k, label]) =>
          el('label', { style: 'display:flex;gap:4px;font-size:13px' }, el('input', { type: 'checkbox', name: k, checked: r.grants.includes(k), disabled: r.status !== 'ready', onchange: (e) => {
            const box = e.currentTarget;
            const body = { tenant: share.querySelector('[name=tenant]').checked, public: share.querySelector('[name=public]').checked };
            act(box, () => api('POST', `/admin/api/recordings/${r.id}/share`, body), t('saved'));
          } }), label),
        ),
      );
      return el(
        'tr',
        { 'data-recording': r.id, 'data-status': r.status },
        el('td', {}, r.topic || r.meeting_no, el('div', { class: 'muted', text: `${r.meeting_no} · ${fmtTime(r.started_at)}` })),
        el('td', { class: 'state', text: (r.status === 'recording' ? t('recording_s') : t(r.status)) + (r.fail_reason ? `: ${r.fail_reason}` : '') }),
        el('td', { text: r.duration_ms ? `${Math.round(r.duration_ms / 1000)} s` : '' }),
        el('td', { text: bytes(r.disk_bytes) }),
        el('td', {}, r.status === 'ready' ? el('details', {}, el('summary', { text: t('play') }), el('video', { controls: true, preload: 'metadata', src: `/admin/api/recordings/${r.id}/media`, style: 'max-width:320px;width:100%' })) : ''),
        el('td', {}, share),
        el(
          'td',
          {},
          el(
            'div',
            { class: 'actions' },
            el('button', { type: 'button', class: 'quiet compose', disabled: r.status !== 'ready' && r.status !== 'failed', text: t('compose'), onclick: (e) => act(e.currentTarget, () => api('POST', `/admin/api/recordings/${r.id}/compose`, {}).then(() => recordings(view)), t('composing')) }),
            el('button', { type: 'button', class: 'danger delete', disabled: r.status !== 'ready' && r.status !== 'failed', text: t('del'), onclick: (e) => confirm(t('confirmDelete')) && act(e.currentTarget, () => api('POST', `/admin/api/recordings/${r.id}/delete`, {}).then(() => recordings(view)), t('deleted')) }),
          ),
        ),
      );
    };
    view.replaceChildren(
      el('p', { id: 'storage', text: t('storage', { files: bytes(d.storage.file_bytes), disk: bytes(d.storage.listed_disk_bytes) }) }),
      d.recordings.length === 0
        ? el('p', { class: 'muted', text: t('noRecordings') })
        : el('section', { class: 'card' }, el('div', { class: 'scroll' }, el('table', { id: 'recordings', class: 'cards' }, el('thead', {}, el('tr', {}, ...[t('topic'), t('status'), t('duration'), t('size'), t('play'), t('share'), ''].map((h) => el('th', { text: h })))), el('tbody', {}, ...d.recordings.map(rowOf))))),
    );
    if (d.recordings.some((r) => r.status === 'processing' || r.status === 'recording')) recTimer = setTimeout(() => recordings(view), 1500);
  }

  const PAGES = { dashboard, live, rooms, recordings, users, apps, exports: exportsPage };
  function render() {
    clearTimeout(liveTimer);
    clearTimeout(exportTimer);
    clearTimeout(recTimer);
    for (const c of charts.splice(0)) c.destroy();
    const view = $('#view');
    PAGES[document.body.dataset.page]?.(view);
  }
  applyLang();
  render();
})();
