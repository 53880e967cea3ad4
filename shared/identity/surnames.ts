/**
 * Chinese surnames, as data. The single ones are the ranking of the household register (the several hundred most
 * frequent, well over 98 % of the population) and the 百家姓 surnames still in use, less the characters that are
 * far more often the start of an everyday word than a family name (东, 山, 红, 花, 国, 平, 明, 水, 来, 和, 帅…): a
 * surname's character makes a nickname typed with it (东方红, 红太阳) read as a real name, and a real name contradicts
 * another one on a shared phone. A surname missing here has the opposite effect, and a worse one: 肖强 and 肖磊 read
 * as nicknames, which contradict nothing, so a family's two cards on one phone merged. Rare surnames that begin no
 * common word (逯, 訾, 仝) are therefore in.
 */
export const SINGLE_SURNAMES: ReadonlySet<string> = new Set(
  [
    '王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗郑梁谢宋唐许韩邓冯曹彭曾肖田董潘袁蔡蒋余于杜叶程魏苏吕丁任卢姚沈钟姜崔谭陆范汪廖',
    '石金韦贾夏付方邹熊白孟秦邱侯江尹薛闫段雷龙黎史陶贺毛郝顾龚邵万覃武钱戴严欧莫孔向常汤康易乔赖文施洪辛柯庄樊祝殷管翟安颜倪',
    '牛温芦季俞章鲁葛伍申尤毕聂丛焦柳邢路岳齐梅左涂谷祁时舒耿牟卜詹关苗凌费纪靳盛童甄项曲成游阳裴席卫查屈鲍霍翁隋植甘景薄单包',
    '司柏宁阮桂闵解强柴华车冉房边辜吉饶刁瞿戚丘古米池滕晋苑邬臧畅宫苟全褚廉简娄盖符奚穆党燕郎邸冀谈姬屠连郜晏栾郁蒙喻揭窦迟敖',
    '糜鄢冷卓仇艾蓝巩稽练仲乐虞卞封竺冼衣楚佟栗匡宗应巫鞠桑荆谌沙伏岑习胥蔺云昌凤酆皮萧湛禹贝茅麦危厉阙阎傅蒲邝晁佘钮钭璩琚郦',
    '雍郗裘缪宣贲杭诸嵇滑荣荀於惠芮羿储汲邴隗宓蓬班韶蓟邰鄂索闻莘逄堵濮扈郏浦尚农茹宦庾暨寇夔师厍勾訾阚蒯权逯桓狄庞骆昝佴仝粟',
    '谯卿檀兰朴代亓旷雒眭蹇亢况庹仉郇',
  ].join(''),
);

/** Two-character surnames (checked before the single ones: 欧阳娜娜 is 欧阳 + 娜娜, not 欧 + 阳娜娜). */
export const COMPOUND_SURNAMES: ReadonlySet<string> = new Set([
  '欧阳',
  '司马',
  '上官',
  '诸葛',
  '东方',
  '皇甫',
  '尉迟',
  '公孙',
  '慕容',
  '令狐',
  '司徒',
  '长孙',
  '夏侯',
  '宇文',
  '轩辕',
  '端木',
  '闻人',
  '南宫',
  '独孤',
  '澹台',
  '公冶',
  '濮阳',
  '淳于',
  '单于',
  '太叔',
  '申屠',
  '钟离',
  '万俟',
  '呼延',
  '赫连',
  '东郭',
  '拓跋',
  '司空',
  '左丘',
  '梁丘',
  '亓官',
  '巫马',
  '乐正',
  '羊舌',
  '公良',
  '漆雕',
  '谷梁',
  '段干',
]);

/**
 * WeChat nicknames that read as a surname and a given name (向 + 日葵, 阳 + 光): everyday words, not names. Only words
 * common as nicknames are listed; a list of every such word would be a dictionary.
 */
export const NICKNAME_WORDS: ReadonlySet<string> = new Set([
  '向日葵',
  '阳光',
  '白云',
  '白雪',
  '蓝天',
  '时光',
  '安静',
  '宁静',
  '云朵',
  '燕子',
]);
