// Words on the pages, in Vietnamese (the default) and English. The choice is kept on the device.

const KEY = 'tinnhiem.lang';

const STRINGS = {
  vi: {
    app_name: 'Lấy phiếu tín nhiệm',
    switch_to: 'English',
    switch_to_label: 'Switch to English',
    sign_out: 'Đăng xuất',
    signed_in_as: 'Đang đăng nhập: {name}',
    loading: 'Đang tải…',
    nav_ballot: 'Phiếu của tôi',
    nav_chair: 'Điều hành',
    nav_audit: 'Kiểm phiếu',

    signin_title: 'Đăng nhập',
    signin_intro: 'Nhập tên đăng nhập và mật khẩu được cấp cho bạn.',
    username: 'Tên đăng nhập',
    password: 'Mật khẩu',
    signin_button: 'Đăng nhập',
    signing_in: 'Đang đăng nhập…',
    session_expired: 'Phiên đăng nhập đã hết hạn. Hãy đăng nhập lại; lựa chọn của bạn vẫn được giữ.',
    session_expired_plain: 'Phiên đăng nhập đã hết hạn. Hãy đăng nhập lại.',
    signin_failed: 'Không đăng nhập được.',

    offline: 'Mất kết nối mạng.',
    offline_cast: 'Mất kết nối mạng: phiếu chưa được gửi. Lựa chọn của bạn vẫn được giữ nguyên; máy sẽ tự gửi lại khi có mạng.',
    retry_in: 'Thử lại sau {s} giây.',
    retrying: 'Đang gửi lại…',
    retry_now: 'Gửi lại ngay',
    network_error: 'Không kết nối được với máy chủ. Kiểm tra mạng rồi thử lại.',
    try_again: 'Thử lại',
    error: 'Có lỗi',

    not_delegate: 'Tài khoản này không có quyền bỏ phiếu.',
    not_delegate_help: 'Trang này dành cho đại biểu. Bạn có thể dùng:',
    no_open_vote_title: 'Chưa có cuộc bỏ phiếu nào đang mở',
    no_open_vote: 'Trang sẽ tự cập nhật khi chủ tọa mở bỏ phiếu. Bạn không cần làm gì.',
    choose_vote_title: 'Chọn cuộc bỏ phiếu',
    choose_vote: 'Đang có nhiều cuộc bỏ phiếu. Chọn phiếu bạn muốn điền:',
    ballot_intro_rating: 'Với mỗi người, chọn một mức: Tín nhiệm cao, Tín nhiệm hoặc Tín nhiệm thấp. Dòng nào không chọn sẽ được tính là để trống.',
    ballot_intro_confidence: 'Với mỗi người, chọn Tín nhiệm hoặc Không tín nhiệm. Dòng nào không chọn sẽ được tính là để trống.',
    subjects_count: '{n} người được lấy phiếu',
    clear_row: 'Bỏ chọn',
    clear_row_label: 'Bỏ chọn dòng của {name}',
    marked_count: 'Đã chọn {n}/{total} dòng',
    review_button: 'Xem lại phiếu',
    review_title: 'Xem lại phiếu',
    review_intro: 'Kiểm tra lại lựa chọn của bạn. Phiếu đã gửi thì không sửa được.',
    blank: 'Để trống',
    blanks_warning: '{n} dòng để trống. Dòng để trống vẫn được tính là phiếu hợp lệ.',
    edit_button: 'Sửa lại',
    cast_button: 'Gửi phiếu',
    casting: 'Đang gửi phiếu…',
    cast_done_title: 'Phiếu của bạn đã được ghi nhận',
    cast_done: 'Cảm ơn bạn. Phiếu đã được gửi và lưu an toàn. Bạn có thể trả máy hoặc đăng xuất.',
    cast_retried: 'Phiếu đã đến máy chủ và được lưu đúng một lần.',
    already_cast_title: 'Phiếu của bạn đã được ghi nhận',
    already_cast: 'Bạn đã bỏ phiếu trong cuộc lấy phiếu này. Mỗi đại biểu chỉ bỏ phiếu một lần; phiếu đã gửi không thay đổi được.',
    other_ballots: 'Các phiếu khác đang mở',
    resume_pending: 'Phiếu trước đó chưa đến máy chủ. Hãy xem lại và gửi phiếu.',
    vote_closed_title: 'Cuộc bỏ phiếu đã kết thúc',

    kind_rating: 'Lấy phiếu tín nhiệm',
    kind_confidence: 'Bỏ phiếu tín nhiệm',
    state_draft: 'Chưa mở',
    state_open: 'Đang bỏ phiếu',
    state_closed: 'Đã kết thúc',

    chair_title: 'Điều hành bỏ phiếu',
    not_chair: 'Trang này dành cho chủ tọa.',
    no_votes: 'Hội đồng chưa có cuộc bỏ phiếu nào.',
    open_vote: 'Mở bỏ phiếu',
    close_vote: 'Kết thúc bỏ phiếu',
    show_tally: 'Xem kết quả',
    hide_tally: 'Ẩn kết quả',
    turnout: 'Đã bỏ phiếu',
    turnout_of: '{cast} / {eligible} đại biểu',
    turnout_live: 'Tự cập nhật mỗi vài giây.',
    eligible: 'Đại biểu được bỏ phiếu',
    ballots_cast: 'Số phiếu thu về',
    confirm_open_title: 'Mở bỏ phiếu?',
    confirm_open: 'Mở “{title}”. Các đại biểu đang giữ quyền đại biểu sẽ nhận phiếu ngay; danh sách này được cố định từ lúc mở.',
    confirm_close_title: 'Kết thúc bỏ phiếu?',
    confirm_close: 'Kết thúc “{title}”. Sau khi kết thúc, không ai bỏ phiếu được nữa và kết quả được công bố ngay.',
    confirm_close_missing: 'Còn {n} đại biểu chưa bỏ phiếu.',
    cancel: 'Hủy',
    opened_now: 'Đã mở bỏ phiếu: {title}.',
    closed_now: 'Đã kết thúc bỏ phiếu: {title}. Kết quả đã được công bố.',
    subjects_n: '{n} người',

    audit_title: 'Kiểm phiếu và biên bản',
    not_auditor: 'Trang này dành cho Ban kiểm phiếu, chủ tọa và quản trị viên.',
    choose_council: 'Hội đồng',
    closed_votes: 'Các cuộc bỏ phiếu đã kết thúc',
    other_votes: 'Chưa kết thúc',
    no_closed_votes: 'Chưa có cuộc bỏ phiếu nào kết thúc.',
    select_vote: 'Xem',
    downloads: 'Tải xuống',
    downloads_intro: 'Biên bản có chữ ký số; ai cũng có thể kiểm tra lại.',
    dl_record_json: 'Biên bản có chữ ký (JSON)',
    dl_record_csv: 'Kết quả và các phiếu (CSV)',
    dl_minutes_vi: 'Biên bản kiểm phiếu (HTML, tiếng Việt)',
    dl_minutes_en: 'Counting minutes (HTML, English)',
    dl_tally_json: 'Kết quả công bố (JSON)',
    downloaded: 'Đã tải xuống {file}.',
    downloading: 'Đang tải xuống…',

    tally_title: 'Kết quả',
    seats: 'Tổng số đại biểu',
    base: 'Cơ sở tính tỉ lệ',
    base_ballots: '{n} (số phiếu thu về)',
    base_seats: '{n} (tổng số đại biểu)',
    opened_at: 'Mở lúc',
    closed_at: 'Kết thúc lúc',
    col_subject: 'Người được lấy phiếu',
    col_outcome: 'Kết quả',
    outcome_none: 'Không',
    outcome_may_resign: 'Có thể xin từ chức',
    outcome_dismissal_required: 'Phải trình miễn nhiệm',
    outcome_dismissal_proposed: 'Đề nghị miễn nhiệm',
    explain_may_resign: 'quá nửa cơ sở tính tỉ lệ đánh giá tín nhiệm thấp; người đó có thể xin từ chức, nếu không thì bỏ phiếu tín nhiệm.',
    explain_dismissal_required: 'từ hai phần ba cơ sở tính tỉ lệ trở lên đánh giá tín nhiệm thấp; cơ quan giới thiệu phải trình miễn nhiệm.',
    explain_dismissal_proposed: 'quá nửa cơ sở tính tỉ lệ bỏ phiếu không tín nhiệm; cơ quan giới thiệu trình miễn nhiệm.',
    legend_title: 'Chú giải',
  },
  en: {
    app_name: 'Confidence votes',
    switch_to: 'Tiếng Việt',
    switch_to_label: 'Chuyển sang tiếng Việt',
    sign_out: 'Sign out',
    signed_in_as: 'Signed in: {name}',
    loading: 'Loading…',
    nav_ballot: 'My ballot',
    nav_chair: 'Chair',
    nav_audit: 'Audit',

    signin_title: 'Sign in',
    signin_intro: 'Enter the username and password you were given.',
    username: 'Username',
    password: 'Password',
    signin_button: 'Sign in',
    signing_in: 'Signing in…',
    session_expired: 'Your session has expired. Sign in again; your choices are kept.',
    session_expired_plain: 'Your session has expired. Sign in again.',
    signin_failed: 'Could not sign in.',

    offline: 'No network connection.',
    offline_cast: 'No network connection: your ballot has not been sent. Your choices are kept; it will be sent again as soon as the network is back.',
    retry_in: 'Trying again in {s} seconds.',
    retrying: 'Sending again…',
    retry_now: 'Send now',
    network_error: 'Cannot reach the server. Check the network and try again.',
    try_again: 'Try again',
    error: 'Error',

    not_delegate: 'This account cannot cast a ballot.',
    not_delegate_help: 'This page is for delegates. You can use:',
    no_open_vote_title: 'No vote is open yet',
    no_open_vote: 'This page updates itself when the chair opens the vote. Nothing to do until then.',
    choose_vote_title: 'Choose a vote',
    choose_vote: 'Several votes are open. Choose the ballot to fill in:',
    ballot_intro_rating: 'For each person, choose one: High confidence, Confidence or Low confidence. A row left unmarked counts as blank.',
    ballot_intro_confidence: 'For each person, choose Confidence or No confidence. A row left unmarked counts as blank.',
    subjects_count: '{n} people on this ballot',
    clear_row: 'Clear',
    clear_row_label: 'Clear the row of {name}',
    marked_count: '{n} of {total} rows marked',
    review_button: 'Review ballot',
    review_title: 'Review your ballot',
    review_intro: 'Check your choices. A ballot cannot be changed once it is cast.',
    blank: 'Blank',
    blanks_warning: '{n} rows left blank. A ballot with blank rows is still valid.',
    edit_button: 'Change',
    cast_button: 'Cast ballot',
    casting: 'Casting…',
    cast_done_title: 'Your ballot is in',
    cast_done: 'Thank you. Your ballot has been sent and safely stored. You may hand back the tablet or sign out.',
    cast_retried: 'The ballot reached the server and was stored exactly once.',
    already_cast_title: 'Your ballot is in',
    already_cast: 'You have already cast your ballot in this vote. Each delegate casts once; a cast ballot cannot be changed.',
    other_ballots: 'Other open ballots',
    resume_pending: 'Your earlier ballot did not reach the server. Review it and cast it.',
    vote_closed_title: 'The vote is closed',

    kind_rating: 'Confidence rating',
    kind_confidence: 'Confidence vote',
    state_draft: 'Not open yet',
    state_open: 'Voting',
    state_closed: 'Closed',

    chair_title: 'Run the vote',
    not_chair: 'This page is for the chair.',
    no_votes: 'The council has no votes yet.',
    open_vote: 'Open the vote',
    close_vote: 'Close the vote',
    show_tally: 'Show results',
    hide_tally: 'Hide results',
    turnout: 'Ballots cast',
    turnout_of: '{cast} / {eligible} delegates',
    turnout_live: 'Updates every few seconds.',
    eligible: 'Eligible delegates',
    ballots_cast: 'Ballots cast',
    confirm_open_title: 'Open the vote?',
    confirm_open: 'Open “{title}”. Members holding the delegate role get their ballot at once; that list is fixed when the vote opens.',
    confirm_close_title: 'Close the vote?',
    confirm_close: 'Close “{title}”. After closing nobody can cast, and the results are published at once.',
    confirm_close_missing: '{n} delegates have not cast yet.',
    cancel: 'Cancel',
    opened_now: 'Vote opened: {title}.',
    closed_now: 'Vote closed: {title}. The results are published.',
    subjects_n: '{n} people',

    audit_title: 'Tallies and records',
    not_auditor: 'This page is for auditors, chairs and administrators.',
    choose_council: 'Council',
    closed_votes: 'Closed votes',
    other_votes: 'Not closed yet',
    no_closed_votes: 'No vote has been closed yet.',
    select_vote: 'Show',
    downloads: 'Downloads',
    downloads_intro: 'The record is digitally signed; anyone can check it.',
    dl_record_json: 'Signed record (JSON)',
    dl_record_csv: 'Results and ballots (CSV)',
    dl_minutes_vi: 'Biên bản kiểm phiếu (HTML, Vietnamese)',
    dl_minutes_en: 'Counting minutes (HTML, English)',
    dl_tally_json: 'Published tally (JSON)',
    downloaded: 'Downloaded {file}.',
    downloading: 'Downloading…',

    tally_title: 'Results',
    seats: 'Seats',
    base: 'Percent base',
    base_ballots: '{n} (ballots cast)',
    base_seats: '{n} (seats)',
    opened_at: 'Opened',
    closed_at: 'Closed',
    col_subject: 'Person',
    col_outcome: 'Outcome',
    outcome_none: 'None',
    outcome_may_resign: 'May resign',
    outcome_dismissal_required: 'Dismissal required',
    outcome_dismissal_proposed: 'Dismissal proposed',
    explain_may_resign: 'more than half of the percent base rated the person low; they may resign, or else a confidence vote is held.',
    explain_dismissal_required: 'two thirds of the percent base or more rated the person low; the nominating body must submit their dismissal.',
    explain_dismissal_proposed: 'more than half of the percent base voted no confidence; the nominating body submits their dismissal.',
    legend_title: 'Legend',
  },
};

const CHOICES = {
  vi: {
    high: 'Tín nhiệm cao',
    medium: 'Tín nhiệm',
    low: 'Tín nhiệm thấp',
    confidence: 'Tín nhiệm',
    no_confidence: 'Không tín nhiệm',
    blank: 'Để trống',
  },
  en: {
    high: 'High confidence',
    medium: 'Confidence',
    low: 'Low confidence',
    confidence: 'Confidence',
    no_confidence: 'No confidence',
    blank: 'Blank',
  },
};

function stored() {
  try {
    return localStorage.getItem(KEY);
  } catch {
    return null;
  }
}

let lang = stored() === 'en' ? 'en' : 'vi';
const listeners = [];

export function getLang() {
  return lang;
}

/** Switches the language, keeps it on the device, and tells every listener. */
export function setLang(next) {
  lang = next === 'en' ? 'en' : 'vi';
  try {
    localStorage.setItem(KEY, lang);
  } catch {
    // Private mode: the choice lasts for this page only.
  }
  document.documentElement.lang = lang;
  for (const f of listeners) f(lang);
}

export function onLangChange(f) {
  listeners.push(f);
}

/** The text for `key`, with `{name}` placeholders filled from `vars`. */
export function t(key, vars = {}) {
  const text = STRINGS[lang][key] ?? STRINGS.vi[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, k) => (k in vars ? String(vars[k]) : `{${k}}`));
}

export function choiceLabel(choice) {
  return CHOICES[lang][choice] ?? choice;
}

export function outcomeLabel(outcome) {
  return t(`outcome_${outcome}`);
}

/** "47.61" as published, written the local way: "47,61 %" in Vietnamese. */
export function percent(s) {
  return `${lang === 'vi' ? String(s).replace('.', ',') : s} %`;
}

/** An RFC 3339 time in the device's time zone, to the minute. */
export function time(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleString(lang === 'vi' ? 'vi-VN' : 'en-GB', {
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
  });
}

document.documentElement.lang = lang;
